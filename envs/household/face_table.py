"""Every face of a set of boxes as rows of flat arrays, six per box in face order (+x, -x, +y, -y, +z,
-z), worked out once per scene graph (or per set of cut pieces) so that a frame only compares the eye
with each face's plane and picks rows: a frame's few dozen faces make numpy's per-call cost, not its
arithmetic, what a frame pays for.
"""

from __future__ import annotations

import numpy as np

from envs.household.scenegraph import CORNER_BITS

# A face whose normal is axis a spans the other two axes (u, v); its corners loop (lo, lo), (hi, lo),
# (hi, hi), (lo, hi) over them, so edge e runs from corner e to corner e + 1. FACE_LOOP gives those
# corners of each face of a box (+x, -x, +y, -y, +z, -z) by their index in ``CORNER_BITS``.
FACE_UV = np.array([[1, 2], [0, 2], [0, 1]])
FACE_LOOP = np.array([[4, 6, 7, 5], [0, 2, 3, 1], [2, 6, 7, 3], [0, 4, 5, 1], [1, 5, 7, 3], [0, 4, 6, 2]])
# The box's face beyond each edge of a face (its axis is k >> 1, spanning FACE_UV's u and v).
ACROSS = np.array([[2 * v + 1, 2 * u, 2 * v, 2 * u + 1] for u, v in FACE_UV[np.arange(6) >> 1]])
# +1 where a face looks along its axis (the eye sees it from outside when beyond ``hi``), -1 against.
SIGN = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])


def _templates(n: int) -> tuple[np.ndarray, ...]:
    """The rows of ``n`` boxes that do not depend on where the boxes are, to slice from."""
    box, k = np.repeat(np.arange(n), 6), np.tile(np.arange(6), n)
    return (box, k, k >> 1, np.tile(SIGN, n), (box * 6)[:, None] + ACROSS[k], (box * 8)[:, None] + FACE_LOOP[k],
            np.arange(6 * n) * 3 + (k >> 1), (k & 1).astype(bool))


TEMPLATE_BOXES = 512  # more boxes than any floorplan draws; a larger set gets templates of its own
TEMPLATES = _templates(TEMPLATE_BOXES)


class FaceTable:
    """Rows ``6 * box + k``: ``box``, ``k``, ``axis``, the face's rectangle ``lo``/``hi`` (flat on its
    axis at ``plane``), ``sign`` (see ``SIGN``), the rows ``across`` its four edges (same box) and its
    four corners as rows of the boxes' ``corners`` flattened to (B * 8, 3)."""

    __slots__ = ("box", "k", "axis", "lo", "hi", "plane", "sign", "across", "corner", "corners")

    def __init__(self, lo: np.ndarray, hi: np.ndarray):
        n = len(lo)
        templates = TEMPLATES if n <= TEMPLATE_BOXES else _templates(n)
        self.box, self.k, self.axis, self.sign, self.across, self.corner, at, odd = (t[:6 * n] for t in templates)
        self.lo, self.hi = np.repeat(lo, 6, axis=0), np.repeat(hi, 6, axis=0)
        flat_lo, flat_hi = self.lo.reshape(-1), self.hi.reshape(-1)
        self.plane = np.where(odd, flat_lo[at], flat_hi[at])
        flat_lo[at] = flat_hi[at] = self.plane
        self.corners = lo[:, None, :] + CORNER_BITS * (hi - lo)[:, None, :]

    def front(self, eye: np.ndarray) -> np.ndarray:
        """Which faces the eye (world coordinates) sees from outside: beyond the face's plane. The sign
        of a difference of two floats is that of their comparison, so this is ``eye > hi`` for the
        faces along an axis and ``eye < lo`` for those against it, in three numpy calls."""
        return self.sign * (eye[self.axis] - self.plane) > 0
