"""The faces a frame draws: every box's faces that look at the eye (and an open box's inner walls),
cut where boxes interpenetrate so that no two faces cross, as axis-aligned rectangles with their
corners in camera coordinates. Used by ``ego.py``; ``depth_order.py`` puts them in drawing order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.household.camera import NEAR, Camera
from envs.household.scenegraph import CORNER_BITS, Node
from envs.household.world import World

INTERIOR, LIT = 6, 7  # shade slots: inside a container, switched on (0-5: the face's direction)
# A face whose normal is axis a spans the other two axes (u, v); its corners loop (lo, lo), (hi, lo),
# (hi, hi), (lo, hi) over them, so edge e runs from corner e to corner e + 1. FACE_LOOP gives those
# corners of each face of a box (+x, -x, +y, -y, +z, -z) by their index in ``CORNER_BITS``.
FACE_UV = np.array([[1, 2], [0, 2], [0, 1]])
FACE_LOOP = np.array([[4, 6, 7, 5], [0, 2, 3, 1], [2, 6, 7, 3], [0, 4, 5, 1], [1, 5, 7, 3], [0, 4, 6, 2]])


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


def box_faces(nodes: list[Node], world: World, cam: Camera, room) -> tuple[Faces, int]:
    """The faces to draw of the world's boxes in view and in the room, cut where boxes cross, and
    last the held box's (``cc`` in camera coordinates for all); and how many are the held box's."""
    lo = np.array([n.lo for n in nodes], dtype=np.float64)
    hi = np.array([n.hi for n in nodes], dtype=np.float64)
    objects = world.objects
    ids, open_face, in_camera, lit = np.array([  # the held box, in camera coordinates, comes last of all
        (n.id, -1 if n.open_face is None else n.open_face, n.frame == "camera",
         n.frame == "world" and bool(objects[n.id - 1].is_on)) for n in nodes]).T
    in_camera, lit = in_camera.astype(bool), lit.astype(bool)
    corners = lo[:, None, :] + CORNER_BITS * (hi - lo)[:, None, :]
    cc = np.where(in_camera[:, None, None], corners, cam.to_camera(corners))
    seen = ~outside(cc) & (in_camera | ~((hi < room[0]) | (lo > room[1])).any(axis=1))
    front, drawn = _facing(lo, hi, in_camera, open_face, seen, cam.position)
    node, seam = np.arange(len(nodes)), np.zeros((len(nodes), 6), dtype=bool)
    cuts = _cuts(lo, hi, drawn, seen & ~in_camera, room)
    if cuts:
        keep = np.ones(len(nodes), dtype=bool)
        keep[list(cuts)] = False
        part, p_lo, p_hi, p_seam = _split(lo, hi, cuts, room)
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
    u, v = FACE_UV[axis, 0], FACE_UV[axis, 1]
    across = np.stack([2 * v + 1, 2 * u, 2 * v, 2 * u + 1], axis=1)  # the box's face beyond each edge
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


def _cuts(lo: np.ndarray, hi: np.ndarray, drawn: np.ndarray, live: np.ndarray, room) -> dict[int, list]:
    """Where to cut boxes, per axis, so that no two drawn faces cross: of two boxes that
    interpenetrate, the smaller along the planes of the larger's drawn faces; a box through the
    room's shell along it."""
    idx = np.flatnonzero(live)
    lo, hi, drawn = lo[idx], hi[idx], drawn[idx]
    meet = np.all((lo[:, None] < hi[None]) & (lo[None] < hi[:, None]), axis=2)
    size = np.prod(hi - lo, axis=1)
    smaller = (size[:, None] < size[None]) | ((size[:, None] == size[None]) & (idx[:, None] < idx[None]))
    p, q = np.nonzero(meet & smaller)
    pair, k = np.nonzero(drawn[q])
    planes = np.where(k & 1, lo[q[pair], k >> 1], hi[q[pair], k >> 1])
    out: dict[int, list] = {}
    for box, ax, at in zip(idx[p[pair]].tolist(), (k >> 1).tolist(), planes.tolist()):
        out.setdefault(box, [[], [], []])[ax].append(at)
    through = ((lo < room[0]) & (room[0] < hi)) | ((lo < room[1]) & (room[1] < hi))
    for p in np.flatnonzero(through.any(axis=1)):
        cuts = out.setdefault(int(idx[p]), [[], [], []])
        for ax in range(3):
            cuts[ax] += [room[0][ax], room[1][ax]]
    return out


def _split(lo: np.ndarray, hi: np.ndarray, cuts: dict[int, list], room) -> tuple[np.ndarray, ...]:
    """The pieces of the cut boxes: ``node``, ``lo``, ``hi``, and ``seam``, which of a piece's faces
    are cuts rather than the box's. Pieces beyond the walls are left out: nothing there shows."""
    out = []  # in plain floats: a handful of boxes, where numpy would cost more
    for i, planes in cuts.items():
        box_lo, box_hi = lo[i].tolist(), hi[i].tolist()
        edges = [[box_lo[a], *sorted({c for c in planes[a] if box_lo[a] < c < box_hi[a]}), box_hi[a]]
                 for a in range(3)]
        for x0, x1 in zip(edges[0], edges[0][1:]):
            for y0, y1 in zip(edges[1], edges[1][1:]):
                for z0, z1 in zip(edges[2], edges[2][1:]):
                    seam = (x1 < box_hi[0], x0 > box_lo[0], y1 < box_hi[1], y0 > box_lo[1], z1 < box_hi[2],
                            z0 > box_lo[2])
                    out.append((i, (x0, y0, z0), (x1, y1, z1), seam))
    node, p_lo, p_hi, seam = (np.array(c) for c in zip(*out))
    middle = (p_lo + p_hi) / 2
    inside = ((middle >= room[0]) & (middle <= room[1])).all(axis=1)
    return node[inside], p_lo[inside], p_hi[inside], seam[inside]


