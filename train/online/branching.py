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

Where the failed episode comes from (``source``):

- ``sampled``: one of the iteration's task-group episodes. Sampled at the training temperature, many
  of their mistakes are ones the greedy policy would not make.
- ``greedy``: one greedy episode per task of the iteration, played only to find where the greedy
  policy, the one the evaluation runs, goes wrong; the branch group then trains at that state.
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
    candidates = [(g.seed, g.id, [r.episode for r in g.rollouts if not r.parts["success"]]) for g in groups]
    return _choose(candidates, n, at, seed)


def greedy_branch_points(episodes: list, seeds: list[int], iteration: int, n: int, at: str,
                         seed: int) -> list[BranchPoint]:
    """As ``branch_points``, from one greedy episode per task seed (``episodes[k]`` played ``seeds[k]``)."""
    candidates = [(s, f"{iteration}:{s}:greedy", [] if e.metrics["task_success"] else [e])
                  for s, e in zip(seeds, episodes)]
    return _choose(candidates, n, at, seed)


def _choose(candidates: list[tuple[int, str, list]], n: int, at: str, seed: int) -> list[BranchPoint]:
    """``candidates``: (task seed, source, failed episodes). One prefix per task, then ``n`` tasks."""
    if at not in ("after", "before"):
        raise ValueError(f"branch.at must be after or before, got {at!r}")
    rng = random.Random(seed)
    points = []
    for task_seed, source, failed in candidates:
        options = [p for p in (_prefix(e, at) for e in failed) if p is not None]
        if options:
            points.append(BranchPoint(task_seed, rng.choice(options), source))
    return rng.sample(points, min(n, len(points)))


def _prefix(episode, at: str) -> tuple[str, ...] | None:
    """The replies to replay before the branch, or None when the episode gives no branch point."""
    k = first_invalid_turn(episode)
    if k is None:
        return None
    if at == "after" and episode.metrics["planner_steps"] <= k:
        return None  # the episode ended at that turn: nothing to branch into
    cut = k if at == "after" else k - 1
    if cut == 0:
        return None  # the initial state: the task group already compares G episodes from there
    return tuple(s.output for s in _turn_outputs(episode)[:cut])


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
