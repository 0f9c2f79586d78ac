"""Branch groups: G more episodes from a state where one of this iteration's episodes went wrong.

An SFT policy learnt from expert trajectories that never fail, so it has never seen the feedback
of a failed action: after its first mistake it almost never recovers (greedy, on held-out tasks:
8 recoveries in 139 episodes with a failed action; every other one ran out of invalid actions). A
group that starts from the task's initial state spends most of its turns on steps the policy
already gets right, and its few failures are spread over many different states.

A branch group restarts G episodes at the turn that matters (in the spirit of VinePPO's and tree
GRPO's rollouts from intermediate states): the simulator is seeded and deterministic, so replaying
a failed episode's first k replies on the same seed rebuilds its state exactly, its history and
last feedback included. Then the policy samples on. Only the turns after the branch point are
trained, and their returns count from there on, so the group compares G ways out of the same state.

- ``at=after``: the branch starts right after the first turn with an invalid action: the policy
  reads the failure's feedback and must recover (what SFT never taught).
- ``at=before``: it starts at that turn: the group compares the mistake with its alternatives.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from agent.policy import Decision, PolicyInput


@dataclass(frozen=True)
class BranchPoint:
    seed: int  # the task's env seed
    prefix: tuple[str, ...]  # the replies replayed, in order, before the policy acts
    source: str  # the group it branches from, "<iteration>:<seed>"


def first_invalid_turn(episode) -> int | None:
    """The first turn (1-based) with an invalid action (failed skill or unreadable reply), or None."""
    return next((s.turn for s in episode.steps if not s.valid), None)


def branch_points(groups: list, n: int, at: str, seed: int) -> list[BranchPoint]:
    """Up to ``n`` branch points, at most one per group (so their seeds differ), drawn with ``seed``
    from the failed episodes that had an invalid action and, for ``after``, went on past it."""
    if at not in ("after", "before"):
        raise ValueError(f"branch.at must be after or before, got {at!r}")
    rng = random.Random(seed)
    candidates = []
    for g in groups:
        options = []
        for r in g.rollouts:
            k = first_invalid_turn(r.episode)
            if r.parts["success"] or k is None:
                continue
            cut = k if at == "after" else k - 1
            if at == "after" and r.episode.metrics["planner_steps"] <= k:
                continue  # the episode ended at that turn: nothing to branch into
            if cut == 0:
                continue  # the initial state: the task group already compares G episodes from there
            options.append(tuple(s.output for s in _turn_outputs(r.episode)[:cut]))
        if options:
            candidates.append(BranchPoint(g.seed, rng.choice(options), g.id))
    return rng.sample(candidates, min(n, len(candidates)))


def _turn_outputs(episode) -> list:
    """One step per turn (its first): a turn's reply is in each of its steps."""
    seen, out = set(), []
    for s in episode.steps:
        if s.turn not in seen:
            seen.add(s.turn)
            out.append(s)
    return out


class PrefixPolicy:
    """Replays each episode's prefix (by episode seed), then hands the turns on to ``policy``. Replayed
    decisions carry no tokens: nothing trains on them."""

    def __init__(self, policy, prompt_format, prefixes: dict[int, tuple[str, ...]]):
        self.policy, self.format, self.prefixes = policy, prompt_format, prefixes
        self.name = policy.name

    def act(self, inputs: list[PolicyInput]) -> list[Decision]:
        out: list[Decision | None] = [None] * len(inputs)
        live = []
        for k, inp in enumerate(inputs):
            prefix = self.prefixes.get(inp.episode_seed, ())
            if inp.turn < len(prefix):
                text = prefix[inp.turn]
                out[k] = Decision(text, self.format.parse(text, inp.action_names))
            else:
                live.append(k)
        if live:
            for k, d in zip(live, self.policy.act([inputs[k] for k in live])):
                out[k] = d
        return out
