"""The probe: fixed tasks, played every ``probe.every`` iterations and never trained on.

Each iteration of a run draws new tasks, so the training log's success and reward parts move with how
hard that iteration's draw happens to be. On the recipe's schedule (24 iterations of 8 tasks) the
frozen SFT model's own success goes 0.13 / 0.29 / 0.29 / 0.38 over the quarters: the same "rise" the
trained runs logged. The probe replays the same seeds with the same sampling randomness every time,
so a change in its row is a change in the policy. Its seeds lie far from the task pool (and from the
curriculum's fresh candidates, which follow the pool), on the training scenes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from agent.loop import LoopConfig
from train.online.collect import RewardWeights, SamplingPolicy, collect_groups
from train.online.distributed import Dist

PROBE_ITERATION = -(10 ** 6)  # the probe's sampling randomness: fixed, so that only the weights differ
FIELDS = ("iteration", "episodes", "success", "progress", "invalid", "format", "grounding", "qa_accuracy",
          "qa_keyframe")


def probe_seeds(probe) -> list[int]:
    return list(range(probe.start, probe.start + probe.tasks))


def run_probe(envs, policy: SamplingPolicy, prompt_format, seeds: list[int], group_size: int, loop: LoopConfig,
              weights: RewardWeights, qa: dict | None, threads: int = 0, dist: Dist | None = None,
              per_episode: bool = False) -> dict:
    """Play ``group_size`` sampled episodes per seed (and their video-QA answers); the means of their reward
    parts (unweighted; ``invalid`` is a count per episode), and with ``per_episode`` each episode's too."""
    dist = dist or Dist()
    policy.begin(PROBE_ITERATION)
    groups = dist.share(collect_groups(envs, policy, prompt_format, dist.mine(seeds), group_size, loop, weights,
                                       PROBE_ITERATION, qa, threads))
    rollouts = [r for g in groups for r in g.rollouts]
    answered = [r for r in rollouts if r.answer is not None]
    episodes = [{"seed": g.seed, "member": r.member, **{k: r.parts[k] for k in FIELDS[2:7]},
                 "qa_accuracy": r.answer_parts.get("accuracy"), "qa_keyframe": r.answer_parts.get("keyframe")}
                for g in groups for r in g.rollouts]

    def mean(xs):
        xs = list(xs)
        return round(float(np.mean(xs)), 4) if xs else ""

    row = {"episodes": len(rollouts), **{k: mean(r.parts[k] for r in rollouts) for k in FIELDS[2:7]},
           "qa_accuracy": mean(r.answer_parts["accuracy"] for r in answered),
           "qa_keyframe": mean(r.answer_parts["keyframe"] for r in answered)}
    if per_episode:
        row["per_episode"] = episodes
    return row


class ProbeLog:
    """``out/probe.csv``: one row per probe (iteration 0: the initial model)."""

    def __init__(self, out: Path):
        self.path = out / "probe.csv"

    def append(self, iteration: int, row: dict) -> None:
        new = not self.path.exists() or self.path.stat().st_size == 0
        with open(self.path, "a", newline="") as f:
            w = csv.DictWriter(f, FIELDS, extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerow({**row, "iteration": iteration})

    def rows(self) -> list[dict]:
        if not self.path.exists():
            return []
        with open(self.path) as f:
            return list(csv.DictReader(f))

    def has(self, iteration: int) -> bool:
        return any(int(r["iteration"]) == iteration for r in self.rows())
