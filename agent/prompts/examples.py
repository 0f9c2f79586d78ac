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
        ids, done = [], False
        while not done and info.get("expert_action") is not None:
            ids.append(info["expert_action"])
            obs, _, terminated, truncated, info = env.step(ids[-1])
            done = terminated or truncated
        names = info["action_names"]
        if info["task_success"] != 1.0 or any(ALIAS.search(names[a]) for a in ids):
            continue
        reply = {"language_plan": "; ".join(names[a] for a in ids),
                 "executable_plan": [{"action_id": a, "action_name": names[a]} for a in ids]}
        out.append(f"Human instruction: {obs['instruction']}\nOutput: {json.dumps(reply)}")
    return tuple(out)
