"""Expert episodes with everything the dataset builders read: every frame, its instance mask and
visible objects, the step's events and interaction region, and each turn's prompt and reply.

Episodes come from the training scenes only; episode ``i`` plays env seed ``seed + i`` with the
subsets taken in turn, so the same (n, seed) always gives the same episodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np

from agent.loop import LoopConfig, run_episodes
from agent.policies.expert import ExpertPolicy
from agent.policy import Decision, Prompt
from agent.prompts import make_format
from agent.records import Episode

ENV_ID = "envs:EgoHousehold-v0"
SUBSETS = ("base", "common_sense", "complex_instruction", "spatial", "visual_appearance", "long_horizon")
SPLIT = "train"  # synthesis never sees the evaluation (test) scenes


@dataclass
class Turn:
    prompt: Prompt
    decision: Decision
    step: int  # env steps taken before this turn (its image is frames[step])
    planned: int | None = None  # the planner's next action when the turn began
    probe: bool = False  # the expert's pick-up before opening (``probe_prob``): part of its way, not a detour

    @property
    def mistake(self) -> bool:
        """The expert's seeded detour (``mistake_prob``): it acted other than its planner said."""
        return bool(self.decision.plan.actions) and self.decision.plan.actions[0] != self.planned and not self.probe


@dataclass
class SynthEpisode:
    episode: Episode  # task, seed, steps (action, feedback, events, reply), metrics
    frames: list[np.ndarray] = field(default_factory=list)  # frames[k]: after env step k (0: after reset)
    masks: list[np.ndarray] = field(default_factory=list)  # instance ids (object index + 1; 0: the room)
    objects: list[list[dict]] = field(default_factory=list)  # visible objects per frame
    interactions: list[dict | None] = field(default_factory=list)  # per frame: the region acted on (None at 0)
    turns: list[Turn] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"s{self.episode.seed}"


class _Collector:
    """Plays the recorder's part in the rollout loop, keeping everything in memory."""

    def __init__(self):
        self.data = SynthEpisode(episode=None)
        self._step, self._planned = 0, None

    def observe(self, step: int, obs: dict, info: dict, rec=None) -> None:
        self._step, self._planned = step, info.get("expert_action")
        d = self.data
        d.frames.append(obs["rgb"])
        frame = info.get("frame")
        d.masks.append(frame.mask if frame is not None else None)
        d.objects.append(frame.objects if frame is not None else [])
        d.interactions.append(info.get("interaction"))

    def turn(self, turn: int, prompt: Prompt, decision: Decision) -> None:
        self.data.turns.append(Turn(prompt, decision, self._step, self._planned))

    def finish(self, episode: Episode) -> None:
        self.data.episode = episode


def target_box(ep: SynthEpisode, turn: Turn) -> list[int] | None:
    """The box, in the frame the turn saw, of the object its action acted on (None when out of view
    or when the action acted on nothing): what online GRPO's grounding reward scores a ``<box>`` by."""
    k = turn.step + 1  # the env step this turn's action became
    region = ep.interactions[k] if k < len(ep.interactions) else None
    return list(region["box_before"]) if region and region.get("box_before") is not None else None


def checked_subsets(subsets) -> tuple[str, ...]:
    """A config's ``subsets`` as a tuple, or an error that names the key and the unknown names."""
    chosen = tuple(subsets)
    unknown = [s for s in chosen if s not in SUBSETS]
    if not chosen or unknown:
        raise SystemExit(f"subsets: {unknown or 'empty'} is not a list of EB-ALFRED subsets {list(SUBSETS)}")
    return chosen


def expert_episodes(n: int, seed: int, subsets=SUBSETS, prompt: str = "compact", mistake_prob: float = 0.0,
                    resolution: int = 224, view: str = "ego", narrator=None, successful_only: bool = True,
                    scene_split: str = SPLIT, box: bool = False, probe_prob: float = 0.0) -> Iterator[SynthEpisode]:
    """``n`` expert episodes (fewer when ``successful_only`` drops a failed one), in seed order.
    Training data always come from the train scenes; ``scene_split="test"`` is for held-out
    evaluation sets only (``eval.videoqa`` / ``eval.grounding``). ``box``: the compact formats' prompts
    ask for the optional ``<box>`` (the replies get theirs from ``target_box``). ``probe_prob``: the
    expert's share of pick-ups before opening (``ExpertPolicy``), marked ``Turn.probe``; with
    ``successful_only`` an episode whose probe is answered with another instance's place is dropped too."""
    fmt = make_format(prompt, box=True) if box else make_format(prompt)
    policy = ExpertPolicy(fmt, seed=seed, mistake_prob=mistake_prob, narrator=narrator, probe_prob=probe_prob)
    envs = {s: gym.make(ENV_ID, subset=s, scene_split=scene_split, resolution=resolution, view=view, expert=True,
                        annotations=view == "ego") for s in subsets}
    for i in range(n):
        subset = subsets[i % len(subsets)]
        collector = _Collector()
        (episode,) = run_episodes([envs[subset]], policy, fmt, [(i, seed + i)], LoopConfig(policy_name="expert",
                                  prompt_name=prompt), writer_for=lambda index, s: collector)
        if episode.task.get("split") != scene_split:
            raise AssertionError(f"episode {i} came from the {episode.task.get('split')} split")
        if successful_only and episode.metrics["task_success"] != 1.0:
            continue
        for t, turn in enumerate(collector.data.turns):
            turn.probe = (seed + i, t) in policy.probed
        if successful_only and not probes_answered(collector.data):
            continue
        yield collector.data


def probes_answered(ep: SynthEpisode) -> bool:
    """Whether each probe's feedback names the container the expert opens next. EB-ALFRED's pick-up
    ranks a shut-in object last, so it may report where another instance lies ("in DiningTable_2"
    while the apple found is in the fridge): such an episode would teach a non sequitur."""
    steps = ep.episode.steps
    for turn in ep.turns:
        if not turn.probe:
            continue
        k = turn.step
        after = steps[k + 1].action if k + 1 < len(steps) else ""
        if not after.startswith("open the ") or f"is in {after.removeprefix('open the ')}." not in steps[k].feedback:
            return False
    return True
