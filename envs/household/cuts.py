"""Where boxes are cut so that no two drawn faces cross: of two boxes that interpenetrate, the smaller
along the planes of the larger's drawn faces that pass through it; a box through the room's shell
along the shell. Which planes pass through which box is known once per scene graph (``Candidates``);
a frame only asks which of them belong to drawn faces. The pieces, and the face table of a frame's
whole set of pieces, come back frame after frame and are kept (``PieceCache``).
"""

from __future__ import annotations

import numpy as np

from envs.household.face_table import FaceTable


class Candidates:
    """Every plane that could cut a box, in the order the cuts are collected: the interpenetrating
    pairs (smaller ``p``, larger ``q``) in turn, each of the larger's faces ``k`` in turn; and the
    shell's planes through each box that crosses it."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, smaller: np.ndarray, larger: np.ndarray,
                 table: FaceTable, through: np.ndarray, room):
        rows = (larger * 6)[:, None] + np.arange(6)  # (P, 6): the larger box's faces
        ax, planes = table.axis[rows], table.plane[rows]
        pair = np.arange(len(smaller))[:, None]
        p_lo, p_hi = lo[smaller[pair], ax], hi[smaller[pair], ax]
        pair, k = np.nonzero((p_lo < planes) & (planes < p_hi))
        self.p, self.q, self.row = smaller[pair], larger[pair], rows[pair, k]
        self.cut = list(zip(self.p.tolist(), ax[pair, k].tolist(), planes[pair, k].tolist()))
        self.through = through
        self.shell: dict[int, list] = {}
        if len(through):
            shell = [(a, c) for a in range(3) for c in (room[0][a], room[1][a])]
            for box, b_lo, b_hi in zip(through.tolist(), lo[through].tolist(), hi[through].tolist()):
                self.shell[box] = [(a, c) for a, c in shell if b_lo[a] < c < b_hi[a]]

    def collect(self, drawn: np.ndarray, live: np.ndarray) -> dict[int, list]:
        """Per box to cut, its planes per axis: those of the drawn faces (``drawn`` by face row) of
        live boxes through live boxes, then the shell's through live boxes."""
        out: dict[int, list] = {}
        if len(self.row):
            act = drawn[self.row] & live[self.p] & live[self.q]
            cut = self.cut
            for c in np.flatnonzero(act).tolist():
                box, a, at = cut[c]
                planes = out.get(box)
                if planes is None:
                    planes = out[box] = [set(), set(), set()]
                planes[a].add(at)
        if len(self.through):
            for box in self.through[live[self.through]].tolist():
                planes = out.get(box)
                if planes is None:
                    planes = out[box] = [set(), set(), set()]
                for a, c in self.shell[box]:
                    planes[a].add(c)
        return out


class Pieces:
    """The pieces of a frame's cut boxes, in order: ``ordinal`` (which cut box, in the order the cuts
    were collected), their face table and ``seam`` by face row (faces that are cuts rather than the
    box's, never drawn)."""

    __slots__ = ("ordinal", "table", "seam")

    def __init__(self, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]):
        self.ordinal = np.repeat(np.arange(len(parts)), [len(lo) for lo, _, _ in parts])
        lo, hi, seam = (np.concatenate(c) for c in zip(*parts))
        self.table = FaceTable(lo.reshape(-1, 3), hi.reshape(-1, 3))
        self.seam = seam.reshape(-1)


class PieceCache:
    """Pieces by box and cuts, and face tables by a frame's whole set of cuts (kept per renderer)."""

    def __init__(self, room):
        self.room = room
        self.boxes: dict = {}
        self.sets: dict = {}

    def pieces(self, cuts: dict[int, list], lo_t: list, hi_t: list) -> Pieces:
        keys = tuple((tuple(lo_t[i]), tuple(hi_t[i]), *(tuple(sorted(c)) for c in planes)) for i, planes in cuts.items())
        found = self.sets.get(keys)
        if found is None:
            parts = []
            for key in keys:
                if key not in self.boxes:
                    self.boxes[key] = _pieces(*key, room=self.room)
                parts.append(self.boxes[key])
            found = self.sets[keys] = Pieces(parts)
        return found


def _pieces(box_lo: tuple, box_hi: tuple, *planes: tuple, room) -> tuple[np.ndarray, ...]:
    """One box cut along ``planes`` (per axis, inside it): the pieces' ``lo``, ``hi`` and ``seam``.
    Pieces beyond the walls are left out: nothing there shows."""
    edges = [[box_lo[a], *planes[a], box_hi[a]] for a in range(3)]
    out = []  # in plain floats: a handful of boxes, where numpy would cost more
    for x0, x1 in zip(edges[0], edges[0][1:]):
        for y0, y1 in zip(edges[1], edges[1][1:]):
            for z0, z1 in zip(edges[2], edges[2][1:]):
                seam = (x1 < box_hi[0], x0 > box_lo[0], y1 < box_hi[1], y0 > box_lo[1], z1 < box_hi[2],
                        z0 > box_lo[2])
                out.append(((x0, y0, z0), (x1, y1, z1), seam))
    p_lo, p_hi, seam = (np.array(c) for c in zip(*out))
    middle = (p_lo + p_hi) / 2
    inside = ((middle >= room[0]) & (middle <= room[1])).all(axis=1)
    return p_lo[inside], p_hi[inside], seam[inside]
