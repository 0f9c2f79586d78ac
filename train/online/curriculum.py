"""Ego3S's Evolving Curriculum Recuration (seeds.md §4.4), over task seeds.

A probing set of training tasks is played every ``every`` iterations (one group each, no update).
Each probe task's state is its group's return variance rounded to one decimal, v_k(x); the
stagnation score S_k is the fraction of probe tasks whose state did not change since the last probe.
When S_k > lambda_s the training pool is re-selected with the current policy: fresh candidate tasks
are played, and those whose groups disagree (non-zero return variance: a learning signal for GRPO)
replace the pool's oldest tasks, most varied first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

ReturnsOf = Callable[[list[int]], dict[int, list[float]]]  # task seeds -> each one's group returns


def variance_state(returns: list[float]) -> float:
    return round(float(np.var(returns)), 1) if returns else 0.0


def stagnation(previous: dict, current: dict) -> float:
    """Fraction of the probe tasks whose state is unchanged (keys as strings: they go through JSON)."""
    keys = [k for k in current if k in previous]
    return sum(previous[k] == current[k] for k in keys) / len(keys) if keys else 0.0


@dataclass
class Curriculum:
    pool: list[int]  # the training tasks (env seeds)
    probe: list[int]
    every: int = 10
    threshold: float = 0.6  # lambda_s
    candidates: int = 8  # fresh tasks played at a re-selection
    next_seed: int = 0  # where fresh candidate seeds start
    last: dict = field(default_factory=dict)
    history: list = field(default_factory=list)

    def due(self, iteration: int) -> bool:
        return self.every > 0 and iteration > 0 and iteration % self.every == 0

    def update(self, iteration: int, returns_of: ReturnsOf) -> dict | None:
        """Probe (when due), and re-select the pool when stagnant; returns what happened, for the log."""
        if not self.due(iteration):
            return None
        current = {str(s): variance_state(r) for s, r in returns_of(self.probe).items()}
        score = stagnation(self.last, current) if self.last else None
        self.last = current
        event = {"iteration": iteration, "stagnation": score, "reselected": 0}
        if score is not None and score > self.threshold:
            event["reselected"] = self.reselect(returns_of)
        self.history.append(event)
        return event

    def reselect(self, returns_of: ReturnsOf) -> int:
        fresh = list(range(self.next_seed, self.next_seed + self.candidates))
        self.next_seed += self.candidates
        spread = {s: float(np.var(r)) for s, r in returns_of(fresh).items()}
        chosen = sorted((s for s in fresh if spread[s] > 0), key=lambda s: -spread[s])[:len(self.pool)]
        if chosen:
            self.pool = self.pool[len(chosen):] + chosen
        return len(chosen)

    def state(self) -> dict:
        return asdict(self)
