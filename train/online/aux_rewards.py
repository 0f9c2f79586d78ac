"""Per-turn reward parts from the simulator's ground truth, and the video-QA question each episode
ends with.

- format: the reply is exactly ``<think>..</think><action>..</action>``, with or without the
  optional ``<box>..</box>`` after it.
- grounding: IoU of the reply's ``<box>`` with the true box of the object its action acted on, in
  the frame the policy saw (the env's ``interaction["box_before"]``); no box, or no target in view: 0.
- video-QA: one multiple-choice question about the episode itself, written by
  ``synth.videoqa.episode_questions`` over the episode's own frames and event log; reward =
  accuracy + ``keyframe_weight`` x EgoVLM's keyframe reward (recall of the frames that show the
  answer, gated by a correct answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.policy import Prompt
from agent.prompts.replies import action_box
from synth.episodes import SynthEpisode
from synth.videoqa import asked, episode_questions
from train.metrics import box_iou
from train.rewards import keyframe_reward, mcq_accuracy, think_action_format

turn_format = think_action_format  # <think>..</think><action>..</action>[<box>..</box>], exactly


def grounding_reward(text: str, true_box: list[int] | None) -> float:
    """IoU of the predicted ``<box>`` with the target's true box (both ``[x0, y0, x1, y1]``)."""
    pred = action_box(text)
    return box_iou(pred, true_box) if pred is not None and true_box is not None else 0.0


@dataclass
class Question:
    """The question asked at the end of one episode, as a prompt, with what scores the answer."""

    prompt: Prompt
    answer: str  # option letter
    keyframes: list[int]  # indices into the prompt's images
    family: str


def episode_question(ep: SynthEpisode, seed: int, families, frames_min: int, frames_max: int,
                     with_keyframes: bool) -> Question | None:
    """One question about the episode (None when its log supports none, e.g. no object was handled)."""
    rows = episode_questions(ep, seed, families, options=5, cap=1, frames_min=frames_min, frames_max=frames_max)
    if not rows:
        return None
    row = rows[0]
    return Question(asked(row, ep.frames, with_keyframes), row["answer"], list(row["keyframes"]), row["family"])


def answer_reward(text: str, q: Question, keyframe_weight: float = 0.5) -> tuple[float, float, float]:
    """(reward, accuracy, keyframe reward) of an answer."""
    acc = mcq_accuracy(text, q.answer)
    key = keyframe_reward(text, q.answer, q.keyframes) if keyframe_weight else 0.0
    return acc + keyframe_weight * key, acc, key
