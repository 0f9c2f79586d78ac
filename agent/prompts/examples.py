"""In-context examples for the ``eb`` format, written by running the privileged expert in the same
environment: "Human instruction: ... Output: {language_plan, executable_plan}", as EB's examples
are. They come from their own seed range on the training scenes, apart from any evaluation."""

from __future__ import annotations

import json
import re

ALIAS = re.compile(r"_\d+$")  # Type_k ids belong to one episode's list; an example must not teach them


def expert_examples(env, n: int, seed: int, max_tries: int = 100) -> tuple[str, ...]:
    """``n`` solved episodes of ``env`` (made with ``expert=True``) from seeds ``seed, seed + 1, ...``."""
    out: list[str] = []
    for k in range(max_tries):
        if len(out) >= n:
            break
        obs, info = env.reset(seed=seed + k)
        steps, done = [], False  # (id, name) as listed when taken: an env may change its list each step
        while not done and info.get("expert_action") is not None:
            steps.append((info["expert_action"], info["action_names"][info["expert_action"]]))
            obs, _, terminated, truncated, info = env.step(steps[-1][0])
            done = terminated or truncated
        if info["task_success"] != 1.0 or any(ALIAS.search(name) for _, name in steps):
            continue
        reply = {"language_plan": "; ".join(name for _, name in steps),
                 "executable_plan": [{"action_id": a, "action_name": name} for a, name in steps]}
        out.append(f"Human instruction: {obs['instruction']}\nOutput: {json.dumps(reply)}")
    return tuple(out)
