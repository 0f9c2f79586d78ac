"""Scores of the question-answering evaluations: multiple-choice accuracy per family, and the
referring-segmentation metrics of LISA / GRES that EARL reports (cIoU, gIoU) plus box IoU@0.5.

Definitions (per sample i, with P_i the predicted mask and G_i the gold mask, the union of the
entities the query refers to):

- I_i = |P_i ∩ G_i|, U_i = |P_i ∪ G_i|;
- cIoU = Σ I_i / Σ U_i over the whole set (large objects weigh more);
- gIoU = mean over samples of IoU_i, where a sample with no gold entity (GRES's "no target")
  scores 1 if nothing is predicted and 0 otherwise, and a target with nothing predicted scores 0;
- box IoU@0.5: the share of gold entities that some predicted box covers with IoU >= 0.5; a
  no-target sample counts once, as a hit when the reply predicts no box.

The predicted mask is the union of the reply's valid boxes drawn as rectangles: EARL prompts SAM
with each box, and there is no SAM here, so our mask IoU is a box-as-mask IoU (documented in the
README, and the same rule the grounding reward uses).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agent.prompts.replies import bbox_lines, block, valid_box
from train.metrics import box_iou, box_mask


def predicted_boxes(text: str) -> list[list[int]]:
    """The valid ``name: [x1, y1, x2, y2]`` boxes of a reply's ``<bbox>`` block (none: [])."""
    content = block(text, "bbox")
    if not content or content.strip().lower() == "none":
        return []
    return [coords for _, coords in bbox_lines(content) if valid_box(coords)]


@dataclass
class GroundingScore:
    intersection: int
    union: int
    iou: float
    box_hits: int
    box_total: int


def score_grounding(boxes: list[list[int]], gold_mask: np.ndarray, gold_boxes: list[list[int]]) -> GroundingScore:
    """One sample: ``boxes`` predicted, ``gold_mask`` (HxW bool, the referred entities' union) and
    their boxes (empty for a no-target sample)."""
    pred = np.zeros(gold_mask.shape, bool)
    for b in boxes:
        pred |= box_mask(b, gold_mask.shape)
    inter = int(np.logical_and(pred, gold_mask).sum())
    union = int(np.logical_or(pred, gold_mask).sum())
    if not gold_boxes:
        return GroundingScore(inter, union, float(not boxes), int(not boxes), 1)
    iou = inter / union if union else 0.0
    hits = sum(any(box_iou(b, g) >= 0.5 for b in boxes) for g in gold_boxes)
    return GroundingScore(inter, union, iou, hits, len(gold_boxes))


def grounding_metrics(scores: list[GroundingScore]) -> dict:
    total_u = sum(s.union for s in scores)
    return {"samples": len(scores),
            "cIoU": sum(s.intersection for s in scores) / total_u if total_u else 0.0,
            "gIoU": sum(s.iou for s in scores) / len(scores) if scores else 0.0,
            "box_iou@0.5": (sum(s.box_hits for s in scores) / sum(s.box_total for s in scores)) if scores else 0.0}


def accuracy_by(rows: list[dict], key: str, value: str = "correct") -> dict:
    """Mean of ``value`` overall and per ``key`` (e.g. question family)."""
    groups: dict[str, list[float]] = {}
    for r in rows:
        groups.setdefault(r[key], []).append(float(r[value]))
    flat = [v for vs in groups.values() for v in vs]
    return {"overall": sum(flat) / len(flat) if flat else 0.0, "n": len(flat),
            f"by_{key}": {k: {"accuracy": sum(v) / len(v), "n": len(v)} for k, v in sorted(groups.items())}}
