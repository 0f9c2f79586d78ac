"""EgoReasoner's multi-level planning samples, shared by ``synth.planning_data`` (prompts for offline
GRPO) and ``synth.sft_data`` (the same prompts with the expert's remaining plan as the reply).

From an expert trajectory of K actions, level d (1..K) is the turn at step K-d: its prompt holds the
history of the first K-d actions and that turn's frame, and its target is the last d actions. The
suffix must be a plan, so levels stop at the last seeded detour (``deepest_level``). The
compact formats ask for one action per turn, so a level's prompt ends with ``PLAN_REQUEST``: the
model is asked for the whole remaining plan, which the imitation reward's prefix term pays for.
"""

from __future__ import annotations

import random

from agent.policy import Prompt
from agent.prompts.replies import block
from synth.episodes import SynthEpisode

PLAN_REQUEST = "\nPlan: every remaining action, in order, one per line, in one <action> block."


def compressed(ep: SynthEpisode, t: int) -> Prompt:
    """Turn ``t`` as EgoReasoner compresses it: the first prompt, the actions so far, the last frame."""
    first = ep.turns[0].prompt
    done = [s.action for s in ep.episode.steps if s.turn <= t and s.action_id is not None]
    return _with_text(first, "\n\nPrevious actions taken: " + (", ".join(done) if done else "none"),
                      [ep.frames[ep.turns[t].step]] * len(first.images), (ep.turns[t].step,) * len(first.images))


def _with_text(prompt: Prompt, tail: str, images=None, steps=None) -> Prompt:
    """``prompt`` with ``tail`` appended to its last text part (and, when given, other images)."""
    msgs = [dict(m) for m in prompt.messages]
    last = msgs[-1]
    text = {"type": "text", "text": last["content"][-1]["text"] + tail}
    msgs[-1] = {**last, "content": [*last["content"][:-1], text]}
    return Prompt(msgs, prompt.images if images is None else images,
                  prompt.image_steps if steps is None else steps)


def actions(ep: SynthEpisode) -> list[str]:
    """The episode's executed actions, one per turn as the expert acts (levels index turns by them)."""
    done = [s.action for s in ep.episode.steps if s.action_id is not None]
    if len(done) != len(ep.turns):
        raise ValueError(f"episode {ep.id}: multi-level planning needs one action per turn, got "
                         f"{len(done)} actions in {len(ep.turns)} turns")
    return done


def deepest_level(ep: SynthEpisode) -> int:
    """The deepest level whose target is a plan: the turns after the last seeded detour or probe (all
    of them when there is none), since a suffix that holds a detour is not what anyone should plan,
    and one that holds a probe plans the pick-up whose failure its later actions read."""
    mistakes = [i for i, t in enumerate(ep.turns) if t.mistake or t.probe]
    return len(ep.turns) - (mistakes[-1] + 1 if mistakes else 0)


def level_prompt(ep: SynthEpisode, d: int, compress: bool, ask_plan: bool) -> Prompt:
    """The prompt of level ``d``: the turn at step K-d, compressed (``compress``) and asking for the plan."""
    t = len(ep.turns) - d
    prompt = compressed(ep, t) if compress and t > 0 else ep.turns[t].prompt
    return _with_text(prompt, PLAN_REQUEST) if ask_plan else prompt


def plan_reply(ep: SynthEpisode, d: int) -> str:
    """The expert's reply to level ``d``'s plan request: that turn's thought, then the last d actions."""
    t = len(ep.turns) - d
    think = block(ep.turns[t].decision.text, "think") or ""
    return f"<think>{think}</think><action>" + "\n".join(actions(ep)[t:]) + "</action>"


def sampled_levels(ep: SynthEpisode, count: int, max_level: int, seed: int) -> list[int]:
    """``count`` distinct levels of 1..min(deepest level, max_level), drawn from (seed, episode): the
    same every run."""
    k = min(deepest_level(ep), max_level)
    return sorted(random.Random(f"{seed}:{ep.id}").sample(range(1, k + 1), min(count, k)))
