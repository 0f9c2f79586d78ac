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
    m = mask == mask_id
    ys = np.flatnonzero(m.any(axis=1))
    if not len(ys):
        return None
    band = m[ys[0]:ys[-1] + 1]  # the columns are looked for only in the rows it spans
    if min_pixels > 1 and np.count_nonzero(band) < min_pixels:
        return None
    xs = np.flatnonzero(band.any(axis=0))
    return [int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1]


class FrameAnnotations:
    """One frame's ground truth: ``mask`` (HxW int32, object index + 1, 0 for the room) and
    ``objects`` (the visible ones, see ``visible_objects``), worked out on first access so that
    steps which never read it do not pay for it."""

    def __init__(self, world: World, mask: np.ndarray, min_pixels: int = MIN_VISIBLE_PIXELS):
        self.mask, self._world, self._min_pixels, self._objects = mask, world, min_pixels, None

    @property
    def objects(self) -> list[dict]:
        if self._objects is None:
            self._objects = visible_objects(self._world, self.mask, self._min_pixels)
        return self._objects

    def __getstate__(self):  # pickled (vector envs, recorders) with the list worked out, without the world
        return {"mask": self.mask, "objects": self.objects}

    def __setstate__(self, state):
        self.mask, self._objects, self._world, self._min_pixels = state["mask"], state["objects"], None, 0


def noise_region(rgb: np.ndarray, box: list[int], seed: int = 0) -> np.ndarray:
    """The frame with a box replaced by uniform noise: Ego3S's counterfactual that hides the
    interaction region while keeping the rest of the view."""
    out = rgb.copy()
    x0, y0, x1, y1 = box
    rng = np.random.default_rng(seed)
    out[y0:y1, x0:x1] = rng.integers(0, 256, size=(y1 - y0, x1 - x0, 3), dtype=np.uint8)
    return out
