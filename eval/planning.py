"""Multi-level planning: how much of the expert's remaining plan a model writes, scored by
EgoReasoner's imitation reward, overall and per level band.

    python -m eval.planning data=runs/synth/planning_test policy=qwen policy.path=runs/sft/final
    python -m eval.planning data=runs/synth/planning_test policy=expert   # the gold plans: reward 1.7

``data`` is a dataset written by ``python -m synth.planning_data`` (``scene_split=test`` for
held-out numbers). Per row: the imitation reward (``train.rewards.imitation_reward``, the offline
GRPO objective), whether the first action and the whole plan are right, and the fraction of the
plan matched as a prefix. Results: ``<out>/results.jsonl`` (appended as answered, so a rerun
resumes) and ``<out>/summary.json``.
"""

from __future__ import annotations

import hydra
import numpy as np
from omegaconf import DictConfig

from agent.policy import Prompt
from eval.qa_run import run
from train.rewards import imitation_reward, predicted_actions, prefix_length

BANDS = ((1, 1), (2, 3), (4, 6), (7, 29))  # levels: the next action, short, middle and long plans


def prompt_of(row: dict) -> Prompt:
    return Prompt(row["messages"], [np.asarray(im.convert("RGB")) for im in row["images"]])


def score_of(row: dict, reply: str) -> dict:
    gold = row["expert_actions"]
    predicted = predicted_actions(reply)[0]
    n = prefix_length(predicted, gold)
    return {"level": row["level"], "reward": imitation_reward(reply, gold), "first": float(n >= 1),
            "exact": float(n == len(gold) == len(predicted)), "prefix": n / len(gold)}


def gold(row: dict) -> str:
    return "<think></think><action>" + "\n".join(row["expert_actions"]) + "</action>"


def chance(rng: np.random.Generator, row: dict) -> str:
    """One of the plan's own actions at random: what guessing from the task alone earns."""
    return f"<think></think><action>{row['expert_actions'][int(rng.integers(len(row['expert_actions'])))]}</action>"


def mean_of(rows: list[dict]) -> dict:
    n = max(len(rows), 1)
    return {"samples": len(rows), **{k: sum(r[k] for r in rows) / n for k in ("reward", "first", "exact", "prefix")}}


def summarize(results: list[dict]) -> dict:
    bands = {f"{lo}-{hi}" if lo != hi else str(lo): mean_of([r for r in results if lo <= r["level"] <= hi])
             for lo, hi in BANDS}
    return {**mean_of(results), "by_level": {k: v for k, v in bands.items() if v["samples"]}}


@hydra.main(config_path="conf", config_name="planning", version_base=None)
def main(cfg: DictConfig) -> None:
    summary = run(cfg, prompt_of, score_of, gold, chance, summarize)
    options = summary["policy"]
    print(f"planning ({options['name']}, {summary['samples']} samples): imitation reward {summary['reward']:.3f}  "
          f"first action {summary['first']:.3f}  whole plan {summary['exact']:.3f}  prefix {summary['prefix']:.3f}; "
          "by level: " + ", ".join(f"{k} {v['reward']:.2f} (n={v['samples']})" for k, v in summary["by_level"].items()))
    print(f"summary: {cfg.out}/summary.json")


if __name__ == "__main__":
    main()
