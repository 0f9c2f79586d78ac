"""Who answers a question-answering evaluation: the ``policy`` config group, read for questions.

- ``qwen`` / ``openai``: the model, given the row's prompt (its messages and images) as is;
- ``expert``: the gold reply (the privileged policy reads the ground truth): the metrics' ceiling,
  a check that the scoring pipeline gives full marks to a perfect answerer;
- ``random``: a seeded chance baseline (a random option letter; a random box).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from agent.policies import make_policy
from agent.policy import PolicyInput, Prompt
from agent.prompts import make_format

Answerer = Callable[[list[int], list[Prompt], list[dict]], list[str]]


def make_answerer(policy_options: dict, gold: Callable[[dict], str], chance: Callable[[np.random.Generator, dict], str]
                  ) -> tuple[Answerer, int]:
    """(answer(ids, prompts, rows) -> replies, batch size)."""
    options = dict(policy_options)
    name = options.pop("name")
    if name == "expert":
        return (lambda ids, prompts, rows: [gold(r) for r in rows]), 64
    if name == "random":
        seed = int(options.get("seed", 0))
        return (lambda ids, prompts, rows: [chance(np.random.default_rng([seed, i]), r) for i, r in zip(ids, rows)]), 64
    # a model: its replies are scored as text, so the prompt format only matters for act(), unused here
    policy = make_policy(name, make_format("compact"), **options)

    def answer(ids: list[int], prompts: list[Prompt], rows: list[dict]) -> list[str]:
        inputs = [PolicyInput(episode_seed=i, turn=0, step=0, instruction="", image=None, action_names=[],
                              history=(), feedback="", prompt=p, max_steps_left=0, info={})
                  for i, p in zip(ids, prompts)]
        return policy.generate(inputs)

    return answer, int(options.get("batch_size", 8))
