"""Expert trajectories from the training scenes: every subset and task type, seeded detours and
recoveries, template thoughts tied to the true state (optionally rewritten by any OpenAI-compatible
model), one row per episode with its frames.

    python -m synth.trajectories out=data/trajectories n=200 seed=0
"""

from __future__ import annotations

import json

import hydra
from datasets import Dataset, Sequence, Value
from omegaconf import DictConfig, OmegaConf

from synth import chat
from synth.episodes import SynthEpisode, expert_episodes
from synth.io import save
from synth.rewrite import Rewriter
from synth.thoughts import narrate

COLUMNS = {"episode_id": Value("string"), "seed": Value("int64"), "task": Value("string"),
           "task_id": Value("string"), "subset": Value("string"), "task_type": Value("string"),
           "scene": Value("string"), "instruction": Value("string"), "success": Value("float32"),
           "num_steps": Value("int32"), "actions": Sequence(Value("string")), "action_ids": Sequence(Value("int32")),
           "valid": Sequence(Value("bool")), "feedback": Sequence(Value("string")),
           "replies": Sequence(Value("string")), "events": Sequence(Value("string")), "prompt_format": Value("string")}


def row(ep: SynthEpisode, frames: bool, prompt: str) -> dict:
    e, task = ep.episode, ep.episode.task
    steps = [s for s in e.steps if s.action_id is not None]
    return {"episode_id": ep.id, "seed": e.seed, "task": json.dumps(task, sort_keys=True), "task_id": task["id"],
            "subset": task["subset"], "task_type": task["type"], "scene": task["scene"],
            "instruction": task["instruction"], "success": e.metrics["task_success"], "num_steps": len(steps),
            "actions": [s.action for s in steps], "action_ids": [s.action_id for s in steps],
            "valid": [s.valid for s in steps], "feedback": [s.feedback for s in steps],
            "replies": [s.output for s in steps], "events": [json.dumps(s.events, sort_keys=True) for s in steps],
            "images": chat.pil(ep.frames) if frames else [], "prompt_format": prompt}


def stats(rows: list[dict]) -> dict:
    types, subsets = {}, {}
    for r in rows:
        types[r["task_type"]] = types.get(r["task_type"], 0) + 1
        subsets[r["subset"]] = subsets.get(r["subset"], 0) + 1
    steps = [r["num_steps"] for r in rows]
    failed = sum(not v for r in rows for v in r["valid"])
    return {"episodes": len(rows), "mean_steps": round(sum(steps) / max(len(steps), 1), 2),
            "failed_actions (detours and recoveries)": failed, "task_types": types, "subsets": subsets,
            "scenes": len({r["scene"] for r in rows})}


@hydra.main(config_path="conf", config_name="trajectories", version_base=None)
def main(cfg: DictConfig) -> None:
    episodes = expert_episodes(cfg.n, cfg.seed, prompt=cfg.prompt, mistake_prob=cfg.mistake_prob,
                               resolution=cfg.resolution, narrator=narrate, successful_only=False)
    rows = [row(ep, cfg.frames, cfg.prompt) for ep in episodes]
    dropped = sum(r["success"] != 1.0 for r in rows)
    rows = [r for r in rows if r["success"] == 1.0]
    if cfg.rewrite.enabled:
        Rewriter(**OmegaConf.to_container(cfg.rewrite.client)).rewrite_rows(rows)
    features = chat.features(**COLUMNS)
    del features["messages"]
    ds = Dataset.from_list(rows, features=features)
    fp = save(ds, cfg.out, "trajectories", {**stats(rows), "failed episodes dropped": dropped},
              OmegaConf.to_container(cfg))
    print(f"{len(ds)} trajectories in {cfg.out} (fingerprint {fp[:12]})")


if __name__ == "__main__":
    main()
