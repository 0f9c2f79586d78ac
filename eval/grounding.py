"""Visual grounding: cIoU, gIoU (LISA / GRES, as EARL reports them) and box IoU@0.5, overall and
per query kind, plus EARL's answer relevance.

    python -m eval.grounding data=runs/synth/grounding policy=qwen policy.path=runs/sft/final
    python -m eval.grounding data=runs/synth/grounding policy=expert   # the gold replies: every metric 1

``data`` is a dataset written by ``python -m synth.grounding``; its masks (``masks/*.png``) are the
gold. The definitions are in ``eval.metrics``. Results: ``<out>/results.jsonl`` (appended as
answered; a rerun resumes) and ``<out>/summary.json``.
"""

from __future__ import annotations

from pathlib import Path

import hydra
import numpy as np
from omegaconf import DictConfig
from PIL import Image

from agent.policy import Prompt
from eval.metrics import GroundingScore, grounding_metrics, predicted_boxes, score_grounding
from eval.qa_run import run
from train.grounding_rewards import earl_answer_reward


def prompt_of(row: dict) -> Prompt:
    messages = [m for m in row["messages"] if m["role"] != "assistant"]
    return Prompt(messages, [np.asarray(row["image"].convert("RGB"))])


def gold_mask(data: Path, row: dict) -> np.ndarray:
    w, h = row["image"].size
    if not row["masks"]:
        return np.zeros((h, w), bool)
    indexed = np.asarray(Image.open(data / row["masks"]))
    return np.isin(indexed, row["mask_ids"])


def scorer(data: Path):
    def score_of(row: dict, reply: str) -> dict:
        s = score_grounding(predicted_boxes(reply), gold_mask(data, row), row["boxes"])
        return {"kind": row["kind"], "intersection": s.intersection, "union": s.union, "iou": s.iou,
                "box_hits": s.box_hits, "box_total": s.box_total, "answer": earl_answer_reward(reply, row["answer"])}
    return score_of


def chance(rng: np.random.Generator, row: dict) -> str:
    w, h = row["image"].size
    x0, y0 = int(rng.integers(w - 1)), int(rng.integers(h - 1))
    x1, y1 = int(rng.integers(x0 + 1, w + 1)), int(rng.integers(y0 + 1, h + 1))
    return f"<answer>[\"object\"]</answer><bbox>object: [{x0}, {y0}, {x1}, {y1}]</bbox>"


def summarize(results: list[dict]) -> dict:
    def metrics(rows: list[dict]) -> dict:
        scores = [GroundingScore(r["intersection"], r["union"], r["iou"], r["box_hits"], r["box_total"]) for r in rows]
        return {**grounding_metrics(scores), "answer": sum(r["answer"] for r in rows) / max(len(rows), 1)}

    kinds: dict[str, list[dict]] = {}
    for r in results:
        kinds.setdefault(r["kind"], []).append(r)
    return {**metrics(results), "by_kind": {k: metrics(v) for k, v in sorted(kinds.items())}}


@hydra.main(config_path="conf", config_name="grounding", version_base=None)
def main(cfg: DictConfig) -> None:
    summary = run(cfg, prompt_of, scorer(Path(cfg.data)), lambda row: row["target"], chance, summarize)
    options = summary["policy"]
    print(f"grounding ({options['name']}, {summary['samples']} samples): cIoU {summary['cIoU']:.3f}  "
          f"gIoU {summary['gIoU']:.3f}  box IoU@0.5 {summary['box_iou@0.5']:.3f}  answer {summary['answer']:.3f}")
    print(f"summary: {cfg.out}/summary.json")


if __name__ == "__main__":
    main()
