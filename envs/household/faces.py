"""The faces a frame draws: every box's faces that look at the eye (and an open box's inner walls),
cut where boxes interpenetrate so that no two faces cross, as axis-aligned rectangles with their
corners in camera coordinates. Used by ``ego.py``; ``depth_order.py`` puts them in drawing order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.household.camera import NEAR, Camera
from envs.household.scenegraph import CORNER_BITS, Node

INTERIOR, LIT = 6, 7  # shade slots: inside a container, switched on (0-5: the face's direction)
# A face whose normal is axis a spans the other two axes (u, v); its corners loop (lo, lo), (hi, lo),
# (hi, hi), (lo, hi) over them, so edge e runs from corner e to corner e + 1. FACE_LOOP gives those
# corners of each face of a box (+x, -x, +y, -y, +z, -z) by their index in ``CORNER_BITS``.
FACE_UV = np.array([[1, 2], [0, 2], [0, 1]])
FACE_LOOP = np.array([[4, 6, 7, 5], [0, 2, 3, 1], [2, 6, 7, 3], [0, 4, 5, 1], [1, 5, 7, 3], [0, 4, 6, 2]])
# The box's face beyond each edge of a face (its axis is k >> 1, spanning FACE_UV's u and v).
ACROSS = np.array([[2 * v + 1, 2 * u, 2 * v, 2 * u + 1] for u, v in FACE_UV[np.arange(6) >> 1]])


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


@dataclass
class Boxes:
    """The scene graph's boxes as arrays, with what does not depend on the eye worked out once per
    graph (the agent walks about between changes): which boxes interpenetrate, which cross the
    room's shell, and the pieces they were cut into (the same few cuts come back frame after frame)."""

    lo: np.ndarray  # (N, 3)
    hi: np.ndarray  # (N, 3)
    ids: np.ndarray  # (N,) mask ids
    open_face: np.ndarray  # (N,) -1 for none
    in_camera: np.ndarray  # (N,) bool: the held box, in camera coordinates, last of all
    corners: np.ndarray  # (N, 8, 3)
    in_room: np.ndarray  # (N,) bool: not wholly beyond the shell
    smaller: np.ndarray  # (P,) of each pair of world boxes that interpenetrate, the smaller
    larger: np.ndarray  # (P,) and the larger
    through: np.ndarray  # world boxes that cross the shell
    pieces: dict  # (lo, hi, cut planes) -> pieces, shared by the graphs of one renderer

    @classmethod
    def of(cls, nodes: list[Node], room, pieces: dict) -> "Boxes":
        lo = np.array([n.lo for n in nodes], dtype=np.float64).reshape(-1, 3)
        hi = np.array([n.hi for n in nodes], dtype=np.float64).reshape(-1, 3)
        ids, open_face, in_camera = np.array([(n.id, -1 if n.open_face is None else n.open_face, n.frame == "camera")
                                              for n in nodes], dtype=np.int64).reshape(-1, 3).T
        in_camera = in_camera.astype(bool)
        meet = np.outer(~in_camera, ~in_camera)
        for a in range(3):  # per axis on (N, N): cheaper than one (N, N, 3) test reduced over its last axis
            meet &= np.less.outer(lo[:, a], hi[:, a]) & np.greater.outer(hi[:, a], lo[:, a])
        size, idx = np.prod(hi - lo, axis=1), np.arange(len(nodes))
        p, q = np.nonzero(meet & (np.less.outer(size, size) | (np.equal.outer(size, size) & np.less.outer(idx, idx))))
        through = ((lo < room[0]) & (room[0] < hi)) | ((lo < room[1]) & (room[1] < hi))
        return cls(lo, hi, ids, open_face, in_camera, lo[:, None, :] + CORNER_BITS * (hi - lo)[:, None, :],
                   ~((hi < room[0]) | (lo > room[1])).any(axis=1), p, q,
                   np.flatnonzero(through.any(axis=1) & ~in_camera), pieces)


def box_faces(b: Boxes, lit: np.ndarray, cam: Camera, room) -> tuple[Faces, int]:
    """The faces to draw of the boxes in view and in the room (``lit``: which are switched on), cut
    where boxes cross, and last the held box's (``cc`` in camera coordinates for all); and how many
    are the held box's."""
    lo, hi, ids, open_face, in_camera = b.lo, b.hi, b.ids, b.open_face, b.in_camera
    cc = np.where(in_camera[:, None, None], b.corners, cam.to_camera(b.corners))
    seen = ~outside(cc) & (in_camera | b.in_room)
    front, drawn = _facing(lo, hi, in_camera, open_face, seen, cam.position)
    node, seam = np.arange(len(lo)), np.zeros((len(lo), 6), dtype=bool)
    cuts = _cuts(b, drawn, seen & ~in_camera, room)
    if cuts:
        keep = np.ones(len(lo), dtype=bool)
        keep[list(cuts)] = False
        part, p_lo, p_hi, p_seam = _split(b, cuts, room)
        p_front, p_drawn = _facing(p_lo, p_hi, in_camera[part], open_face[part], seen[part], cam.position)
        p_cc = cam.to_camera(p_lo[:, None, :] + CORNER_BITS * (p_hi - p_lo)[:, None, :])
        node = np.concatenate([part, node[keep]])  # the held box stays last
        lo, hi = np.concatenate([p_lo, lo[keep]]), np.concatenate([p_hi, hi[keep]])
        cc, seam = np.concatenate([p_cc, cc[keep]]), np.concatenate([p_seam, seam[keep]])
        front = np.concatenate([p_front, front[keep]])
        drawn = np.concatenate([p_drawn & ~p_seam, drawn[keep]])
        in_camera, open_face, lit, ids = in_camera[node], open_face[node], lit[node], ids[node]
    j, k = np.nonzero(drawn)
    axis = k >> 1
    shade = np.where(front[j, k], np.where(lit[j], LIT, k), INTERIOR)
    across = ACROSS[k]
    flo, fhi = lo[j], hi[j]
    plane = np.where(k & 1, lo[j, axis], hi[j, axis])
    rows = np.arange(len(j))
    flo[rows, axis] = fhi[rows, axis] = plane
    outline = ~drawn[j[:, None], across] & ~seam[j[:, None], across]
    faces = Faces(flo, fhi, axis, ids[j] * 8 + shade, node[j], outline, cc[j[:, None], FACE_LOOP[k]],
                  open_face[j] >= 0)
    return faces, int(drawn[in_camera].sum())


def _facing(lo, hi, in_camera, open_face, seen, position) -> tuple[np.ndarray, np.ndarray]:
    """Per box, which faces look at the eye, and which are drawn: those, and for an open box its
    inner walls too, never the missing face."""
    eye = np.where(in_camera[:, None], 0.0, position)
    # A face is seen from outside when the eye is beyond its plane: +x face if eye.x > hi.x, and so on.
    front = np.stack([eye[:, 0] > hi[:, 0], eye[:, 0] < lo[:, 0], eye[:, 1] > hi[:, 1],
                      eye[:, 1] < lo[:, 1], eye[:, 2] > hi[:, 2], eye[:, 2] < lo[:, 2]], axis=1)
    drawn = (front | (open_face >= 0)[:, None]) & (np.arange(6) != open_face[:, None]) & seen[:, None]
    return front, drawn


def _cuts(b: Boxes, drawn: np.ndarray, live: np.ndarray, room) -> dict[int, list]:
    """Where to cut boxes, per axis, so that no two drawn faces cross: of two boxes that
    interpenetrate, the smaller along the planes of the larger's drawn faces that pass through it;
    a box through the room's shell along it."""
    both = live[b.smaller] & live[b.larger]
    p, q = b.smaller[both], b.larger[both]
    pair, k = np.nonzero(drawn[q])
    p, q, ax = p[pair], q[pair], k >> 1
    planes = np.where(k & 1, b.lo[q, ax], b.hi[q, ax])
    inside = (b.lo[p, ax] < planes) & (planes < b.hi[p, ax])
    out: dict[int, list] = {}
    for box, a, at in zip(p[inside].tolist(), ax[inside].tolist(), planes[inside].tolist()):
        out.setdefault(box, [set(), set(), set()])[a].add(at)
    for box in b.through[live[b.through]].tolist():
        cuts, lo, hi = out.setdefault(box, [set(), set(), set()]), b.lo[box].tolist(), b.hi[box].tolist()
        for a in range(3):
            cuts[a].update(c for c in (room[0][a], room[1][a]) if lo[a] < c < hi[a])
    return out


def _split(b: Boxes, cuts: dict[int, list], room) -> tuple[np.ndarray, ...]:
    """The pieces of the cut boxes: ``node``, ``lo``, ``hi``, and ``seam``, which of a piece's faces
    are cuts rather than the box's. Pieces beyond the walls are left out: nothing there shows."""
    out = []
    for i, planes in cuts.items():
        key = (tuple(b.lo[i].tolist()), tuple(b.hi[i].tolist()), *(tuple(sorted(c)) for c in planes))
        if key not in b.pieces:
            b.pieces[key] = _pieces(*key, room=room)
        out.append(b.pieces[key])
    node = np.repeat(np.array(list(cuts)), [len(lo) for lo, _, _ in out])
    return (node, *(np.concatenate(c) for c in zip(*out)))


def _pieces(box_lo: tuple, box_hi: tuple, *planes: tuple, room) -> tuple[np.ndarray, ...]:
    """One box cut along ``planes`` (per axis, inside it): the pieces' ``lo``, ``hi`` and ``seam``."""
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
