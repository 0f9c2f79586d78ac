"""Per-frame ground truth read off the instance mask: which objects are visible, where, how large; the
box of an object in a frame; and the counterfactual frames Ego3S-style data selection needs.

Boxes are ``[x0, y0, x1, y1]`` in pixels, ``x1``/``y1`` exclusive (so ``x1 - x0`` is the width).
"""

from __future__ import annotations

import numpy as np

from envs.household.world import World

MIN_VISIBLE_PIXELS = 10  # ALFRED's MIN_VISIBLE_PIXELS: fewer pixels than this do not count as seen


def _extent(presence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and one-past-last True along axis 1 of an (ids, n) presence table."""
    first = presence.argmax(axis=1)
    last = presence.shape[1] - presence[:, ::-1].argmax(axis=1)
    return first, last


def visible_objects(world: World, mask: np.ndarray, min_pixels: int = MIN_VISIBLE_PIXELS) -> list[dict]:
    """Every object with at least ``min_pixels`` pixels in the mask: id, class, EB-style name, box, pixels."""
    h, w = mask.shape
    n = len(world.objects) + 1
    counts = np.bincount(mask.ravel(), minlength=n)
    ids = np.nonzero(counts >= min_pixels)[0]
    ids = ids[ids > 0]
    if len(ids) == 0:
        return []
    # One pass per axis: which rows (columns) each id occupies, via bincount over id * size + row.
    rows = np.bincount((mask * h + np.arange(h)[:, None]).ravel(), minlength=n * h).reshape(n, h)[ids] > 0
    cols = np.bincount((mask * w + np.arange(w)[None, :]).ravel(), minlength=n * w).reshape(n, w)[ids] > 0
    y0, y1 = _extent(rows)
    x0, x1 = _extent(cols)
    out = []
    for k, i in enumerate(ids.tolist()):
        o = world.objects[i - 1]
        out.append({"id": i, "object": o.id, "class": o.cls, "name": o.name,
                    "box": [int(x0[k]), int(y0[k]), int(x1[k]), int(y1[k])], "pixels": int(counts[i])})
    return out


def box_of(mask: np.ndarray, mask_id: int, min_pixels: int = 1) -> list[int] | None:
    """The box of one id in a mask, or ``None`` if it shows on fewer than ``min_pixels`` pixels."""
    ys, xs = np.nonzero(mask == mask_id)
    if len(ys) < min_pixels:
        return None
    return [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]


def noise_region(rgb: np.ndarray, box: list[int], seed: int = 0) -> np.ndarray:
    """The frame with a box replaced by uniform noise: Ego3S's counterfactual that hides the
    interaction region while keeping the rest of the view."""
    out = rgb.copy()
    x0, y0, x1, y1 = box
    rng = np.random.default_rng(seed)
    out[y0:y1, x0:x1] = rng.integers(0, 256, size=(y1 - y0, x1 - x0, 3), dtype=np.uint8)
    return out
