"""The faces a frame draws: every box's faces that look at the eye (and an open box's inner walls),
cut where boxes interpenetrate so that no two faces cross, as axis-aligned rectangles with their
corners in camera coordinates. Used by ``ego.py``; ``depth_order.py`` puts them in drawing order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.household.camera import NEAR, Camera
from envs.household.cuts import Candidates, PieceCache
from envs.household.depth_order import upper
from envs.household.face_table import FaceTable
from envs.household.scenegraph import Node

INTERIOR, LIT = 6, 7  # shade slots: inside a container, switched on (0-5: the face's direction)


@dataclass
class Faces:
    """Axis-aligned rectangles (``lo == hi`` on ``axis``) to fill with ``key`` = mask id * 8 + shade,
    and their corners ``cc`` in camera coordinates. ``node`` is the box's place in scene order, which
    settles coplanar overlaps (contents over their container); ``outline`` marks the edges that lie
    on the outline of the box's drawn faces."""

    lo: np.ndarray  # (F, 3)
    hi: np.ndarray  # (F, 3)
    axis: np.ndarray  # (F,)
    key: np.ndarray  # (F,)
    node: np.ndarray  # (F,)
    outline: np.ndarray  # (F, 4) bool, edge e from corner e to corner e + 1
    cc: np.ndarray  # (F, 4, 3)
    hollow: np.ndarray  # (F,) bool: of an open box, whose inner and outer walls may overlap on screen

    def columns(self) -> tuple:
        return self.lo, self.hi, self.axis, self.key, self.node, self.outline, self.cc, self.hollow

    def take(self, sel) -> "Faces":
        return Faces(*(c[sel] for c in self.columns()))


def outside(cc: np.ndarray) -> np.ndarray:
    """Camera-space points (..., N, 3) all behind the lens or all beyond one side of the frustum."""
    x, y, z = cc[..., 0], cc[..., 1], cc[..., 2]
    return (z < NEAR).all(-1) | (x > z).all(-1) | (-x > z).all(-1) | (y > z).all(-1) | (-y > z).all(-1)


class Boxes:
    """The scene graph's boxes as arrays, with what does not depend on the eye worked out once per
    graph (the agent walks about between changes): every face (``FaceTable``), the planes that may
    cut boxes where they interpenetrate or cross the room's shell (``Candidates``)."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, ids: np.ndarray, open_face: np.ndarray,
                 in_camera: np.ndarray, room, pieces: PieceCache):
        self.lo, self.hi, self.ids, self.open_face, self.in_camera = lo, hi, ids, open_face, in_camera
        self.held = bool(len(in_camera)) and bool(in_camera[-1])  # the held box, if any, comes last
        self.table = t = FaceTable(lo, hi)
        self.corners = t.corners
        self.may_see = in_camera | ~((hi < room[0]) | (lo > room[1])).any(axis=1)  # held, or not wholly beyond the shell
        self.hollow = open_face >= 0  # open boxes: inner walls drawn, faces that may overlap their own
        face_open = open_face[t.box]
        self.shown = self.hollow[t.box] & (t.k != face_open)  # drawn from inside too, when seen
        self.closed = t.k != face_open  # never the missing face
        self.key8 = ids * 8
        self.held_front = t.front(np.zeros(3))[-6:] if self.held else None  # its eye is the camera's origin
        self.lo_t, self.hi_t = lo.tolist(), hi.tolist()  # for the keys of cut boxes
        self.pieces = pieces
        m = len(lo) - self.held  # the world's boxes: the held one crosses nothing
        w_lo, w_hi = lo[:m], hi[:m]
        meet = np.less.outer(w_lo[:, 0], w_hi[:, 0]) & np.greater.outer(w_hi[:, 0], w_lo[:, 0])
        for a in (1, 2):  # per axis on (N, N): cheaper than one (N, N, 3) test reduced over its last axis
            meet &= np.less.outer(w_lo[:, a], w_hi[:, a])
            meet &= np.greater.outer(w_hi[:, a], w_lo[:, a])
        size = np.prod(w_hi - w_lo, axis=1)  # of two that meet, the smaller is cut (the earlier if equal)
        p, q = np.nonzero(meet & (np.less.outer(size, size) | (np.equal.outer(size, size) & upper(m))))
        through = ((lo < room[0]) & (room[0] < hi)) | ((lo < room[1]) & (room[1] < hi))
        self.cuts = Candidates(lo, hi, p, q, t, np.flatnonzero(through.any(axis=1) & ~in_camera), room)

    @classmethod
    def of(cls, nodes: list[Node], room, pieces: PieceCache) -> "Boxes":
        if not nodes:
            empty = np.zeros((0, 3))
            return cls(empty, empty, *np.zeros((3, 0), dtype=np.int64), room, pieces)
        lo = np.concatenate([n.lo for n in nodes], dtype=np.float64).reshape(-1, 3)
        hi = np.concatenate([n.hi for n in nodes], dtype=np.float64).reshape(-1, 3)
        ids = np.array([n.id for n in nodes], dtype=np.int64)
        open_face = np.array([-1 if n.open_face is None else n.open_face for n in nodes], dtype=np.int64)
        in_camera = np.array([n.frame == "camera" for n in nodes], dtype=bool)
        return cls(lo, hi, ids, open_face, in_camera, room, pieces)


def box_faces(b: Boxes, lit: np.ndarray, cam: Camera) -> tuple[Faces, int]:
    """The faces to draw of the boxes in view and in the room (``lit``: which boxes are switched on),
    cut where boxes cross, and last the held box's (``cc`` in camera coordinates for all), less
    those wholly outside the view; and how many are not the held box's."""
    t, eye = b.table, cam.position
    cc = cam.to_camera(b.corners)
    if b.held:
        cc[-1] = b.corners[-1]
    seen = ~outside(cc) & b.may_see
    front = t.front(eye)
    if b.held:
        front[-6:] = b.held_front
    on = seen[t.box]
    drawn = (front & b.closed | b.shown) & on
    live = seen & ~b.in_camera
    cuts = b.cuts.collect(drawn, live)
    outline_b = ~drawn  # the outline of a box's drawn faces, before cut boxes give way to their pieces
    if cuts:
        cut = np.fromiter(cuts, dtype=np.int64, count=len(cuts))
        p = b.pieces.pieces(cuts, b.lo_t, b.hi_t)
        pt = p.table
        node_p = cut[p.ordinal][pt.box]  # by piece face row
        p_front = pt.front(eye)
        p_drawn = (p_front | b.hollow[node_p]) & (pt.k != b.open_face[node_p]) & seen[node_p] & ~p.seam
        drawn.reshape(-1, 6)[cut] = False
        jp = np.flatnonzero(p_drawn)
        p_cc = cam.to_camera(pt.corners).reshape(-1, 3)[pt.corner[jp]]
    jb = np.flatnonzero(drawn)
    n_held = int(drawn[-6:].sum()) if b.held else 0
    cc = cc.reshape(-1, 3)[t.corner[jb]]
    if cuts:
        cc = np.concatenate([p_cc, cc])
    keep = ~outside(cc)
    n_scene = int(keep[:len(keep) - n_held].sum())
    if cuts:
        kp, kb = keep[:len(jp)], keep[len(jp):]
        jp, jb = jp[kp], jb[kb]
        across = pt.across[jp]
        node = np.concatenate([node_p[jp], t.box[jb]])
        lo, hi = np.concatenate([pt.lo[jp], t.lo[jb]]), np.concatenate([pt.hi[jp], t.hi[jb]])
        axis, k = np.concatenate([pt.axis[jp], t.axis[jb]]), np.concatenate([pt.k[jp], t.k[jb]])
        front = np.concatenate([p_front[jp], front[jb]])
        outline = np.concatenate([~p_drawn[across] & ~p.seam[across], outline_b[t.across[jb]]])
    else:
        jb = jb[keep]
        node, lo, hi, axis, k, front = t.box[jb], t.lo[jb], t.hi[jb], t.axis[jb], t.k[jb], front[jb]
        outline = outline_b[t.across[jb]]
    shade = np.where(front, np.where(lit[node], LIT, k), INTERIOR)
    return Faces(lo, hi, axis, b.key8[node] + shade, node, outline, cc[keep], b.hollow[node]), n_scene
