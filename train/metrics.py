"""Similarity and overlap measures the rewards use: EARL's Levenshtein ratio and name matching,
box IoU and mask IoU."""

from __future__ import annotations

import numpy as np

def levenshtein_distance(a: str, b: str, substitution: int = 2) -> int:
    """Edit distance with unit insertions and deletions and the given substitution cost."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (0 if ca == cb else substitution)))
        prev = cur
    return prev[-1]


def levenshtein_ratio(a: str, b: str) -> float:
    """python-Levenshtein's ``ratio``, which EARL calls: (|a| + |b| - d) / (|a| + |b|) where d is the
    edit distance with substitutions costing 2; 1.0 for two empty strings."""
    total = len(a) + len(b)
    return 1.0 if total == 0 else (total - levenshtein_distance(a, b)) / total


def name_score(pred: str, gold: str) -> float:
    """EARL's entity similarity, lower-cased: 1 when one contains the other, else the Levenshtein
    ratio. An empty prediction scores 0: it is a substring of everything, so EARL's rule would give
    it full marks."""
    p, g = pred.lower().strip(), gold.lower().strip()
    if not p or not g:
        return 0.0
    return 1.0 if p in g or g in p else levenshtein_ratio(p, g)


def box_iou(a, b) -> float:
    """IoU of two ``[x0, y0, x1, y1]`` boxes with exclusive ends (areas are (x1-x0)(y1-y0) pixels)."""
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def box_mask(box, shape) -> np.ndarray:
    """The box's rectangle as a boolean mask of ``shape`` (clipped to the image): what a box becomes
    when no SAM is there to turn it into a mask."""
    m = np.zeros(shape[:2], bool)
    m[box[1]:box[3], box[0]:box[2]] = True
    return m


def mask_iou(pred: np.ndarray, gold: np.ndarray) -> float:
    inter = np.logical_and(pred, gold).sum()
    union = np.logical_or(pred, gold).sum()
    return float(inter / union) if union else 0.0
