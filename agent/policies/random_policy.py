"""The random baseline: a uniformly drawn action of the episode's list each turn."""

from __future__ import annotations

import numpy as np

from agent.policy import Decision, Plan, PolicyInput


class RandomPolicy:
    name = "random"
    privileged = False

    def __init__(self, prompt_format, seed: int = 0):
        self.format, self.seed = prompt_format, seed

    def act(self, inputs: list[PolicyInput]) -> list[Decision]:
        out = []
        for inp in inputs:
            rng = np.random.default_rng([self.seed, inp.episode_seed, inp.turn])
            a = int(rng.integers(len(inp.action_names)))
            out.append(Decision(self.format.render([a], inp.action_names, "I pick an action at random."), Plan((a,))))
        return out
