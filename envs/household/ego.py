"""The first-person view: a painter's-algorithm renderer over the scene graph's boxes, in numpy + Pillow.

Faces are drawn into one integer image whose value is ``mask id * 8 + shade``; the instance mask and
the RGB frame are both read from it, so they always agree. The room's shell goes first: the eye is
inside it, so it hides nothing in the room and everything outside. Then faces, not whole boxes, are
put in depth order: two axis-aligned rectangles that do not cross lie on either side of a plane
along some axis, and only the one on the eye's side can cover the other. These constraints, for the
pairs whose screen extents overlap, are sorted topologically, far to near where nothing constrains.
Faces of boxes that interpenetrate (a chair under a table, a drawer in a dresser, a toaster sunk into
a counter, a picture through a wall) are first cut along the other box's planes so that no two faces
cross, and what lies beyond the walls is dropped. Back faces are culled with the boxes' known
normals, polygons are clipped at the near plane, and all corners are projected in one numpy pass;
Python only sorts and walks the faces that are drawn. ``tests/`` checks the masks against an exact
per-pixel ray caster over the same boxes.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from envs.household import palette
from envs.household.camera import NEAR, Camera, clip_near
from envs.household.scenegraph import CORNER_BITS, Node, build, shell
from envs.household.world import World

# Brightness of a face by which way it points (+x, -x, +y, -y, +z, -z), inside a container, and lit.
SHADES = np.array([0.82, 0.74, 1.0, 0.5, 0.9, 0.66, 0.42, 1.0])
INTERIOR, LIT = 6, 7
ROOM = {  # shell colours: walls, floor, ceiling
    "Kitchen": ((222, 214, 196), (150, 126, 98), (236, 236, 232)),
    "LivingRoom": ((205, 212, 220), (120, 92, 70), (236, 236, 232)),
    "Bedroom": ((215, 205, 225), (140, 112, 88), (236, 236, 232)),
    "Bathroom": ((200, 225, 228), (170, 170, 165), (240, 240, 240)),
}
UNKNOWN = (128, 128, 128)  # classes outside ALFRED's list (stools, shelving units...)
ROOM_CACHE = 32  # shell layers kept per renderer

# A face whose normal is axis a spans the other two axes (u, v); its corners loop (lo, lo), (hi, lo),
# (hi, hi), (lo, hi) over them, so edge e runs from corner e to corner e + 1. FACE_LOOP gives those
# corners of each face of a box (+x, -x, +y, -y, +z, -z) by their index in ``CORNER_BITS``.
FACE_UV = np.array([[1, 2], [0, 2], [0, 1]])
FACE_LOOP = np.array([[4, 6, 7, 5], [0, 2, 3, 1], [2, 6, 7, 3], [0, 4, 5, 1], [1, 5, 7, 3], [0, 4, 6, 2]])
NEXT, PREV = np.array([1, 2, 3, 0]), np.array([3, 0, 1, 2])
# Pillow fills between whole-pixel vertices, edges included: about half a pixel more all round than
# sampling pixel centres, so whatever is drawn later would grow into its neighbours. Outline edges
# are pulled in by this much to even that out (pixels, in the L1 sense as Pillow rounds per axis).
ERODE = 0.25


@dataclass
class Frame:
    rgb: np.ndarray  # (H, W, 3) uint8
    mask: np.ndarray  # (H, W) int32: object index + 1, 0 for floor, walls and ceiling


@dataclass
class _Faces:
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

    def take(self, sel) -> "_Faces":
        return _Faces(*(c[sel] for c in self.columns()))


class EgoRenderer:
    def __init__(self, world: World, size: int = 224):
        self.size = size
        self.shell = shell(world.scene.floor)
        quads = np.array([quad for _, quad in self.shell])
        self._bounds = (quads.min(axis=(0, 1)), quads.max(axis=(0, 1)))
        walls, floor, ceiling = ROOM.get(world.scene.room_type, ROOM["Kitchen"])
        self.shell_colors = {0: walls, 1: walls, 4: walls, 5: walls, 2: floor, 3: ceiling}
        self._base: np.ndarray | None = None  # class colour per mask id, kept while the objects stay
        self._lut: tuple[tuple, np.ndarray] | None = None  # and the table, while nothing is switched
        self._rooms: OrderedDict = OrderedDict()  # pose -> floor, walls and ceiling drawn from there
        self._graph: tuple | None = None  # (state key, nodes) of the last frame

    def _room(self, pose: tuple, cam: Camera) -> Image.Image:
        """The room's shell seen from a pose; the agent stands at a few poses per episode, so keep some."""
        img = self._rooms.get(pose)
        if img is None:
            img = self._rooms[pose] = _room_layer(self.shell, cam)
            if len(self._rooms) > ROOM_CACHE:
                self._rooms.popitem(last=False)
        return img

    def _nodes(self, world: World) -> list[Node]:
        """The scene graph's boxes, rebuilt only when something moved, opened, closed or was cut: the
        agent walking about (``find``) changes the view, not the boxes."""
        key = (len(world.objects), world.agent.held,
               tuple((o.parent, o.is_open, o.alive, o.center) for o in world.objects if o.pickupable or o.openable))
        if self._graph is None or self._graph[0] != key:
            self._graph = (key, [n for root in build(world) for n in root.flatten()])
        return self._graph[1]

    def lut(self, world: World) -> np.ndarray:
        """RGB (uint8) for every ``id * 8 + shade`` key of this world."""
        n = len(world.objects) + 1
        lit = [o.idx + 1 for o in world.objects if o.is_on and o.alive]
        if self._lut is not None and self._lut[0] == (n, lit):
            return self._lut[1]
        if self._base is None or len(self._base) != n:  # new objects appear only when something is sliced
            base = np.empty((n, 3), dtype=np.float64)
            base[0] = self.shell_colors[0]  # the shell's slots are set one by one below
            for o in world.objects:
                base[o.idx + 1] = palette.rgb(o.cls, o.materials or ()) if o.cls in palette.PALETTE else UNKNOWN
            self._base = base
        base = self._base
        colors = base[:, None, :] * SHADES[None, :, None]
        for slot, rgb in self.shell_colors.items():
            colors[0, slot] = rgb
        if lit:
            colors[lit, LIT] = np.minimum(base[lit] * 1.25 + 40, 255)
        table = np.clip(np.rint(colors.reshape(-1, 3)), 0, 255).astype(np.uint8)
        table.flags.writeable = False  # shared by the frames until something is switched on or off
        self._lut = ((n, lit), table)
        return table

    def render(self, world: World) -> Frame:
        a = world.agent
        cam = Camera.at_agent(a, self.size)
        img = self._room((a.x, a.z, a.yaw, a.horizon), cam).copy()
        draw = ImageDraw.Draw(img)
        nodes = self._nodes(world)
        if nodes:
            faces, n_held = _box_faces(nodes, world, cam, self._bounds)
            keep = ~_outside(faces.cc)
            faces, n_scene = faces.take(keep), int(keep[:len(keep) - n_held].sum())
            pixels, clipped = _project(cam, faces.cc)
            order = _depth_order(faces, pixels, cam.position, self.size, n_scene)
            # The held box is nearest of all, and faces of one box never overlap: any order will do.
            _paint(draw, faces, pixels, clipped, order + list(range(n_scene, len(pixels))))
        keys = np.asarray(img, dtype=np.int32)
        return Frame(rgb=np.take(self.lut(world), keys, axis=0), mask=keys >> 3)


def _room_layer(shell_quads, cam: Camera) -> Image.Image:
    """Floor and ceiling over the walls: the image starts as wall (key 0), all four being one colour."""
    img = Image.new("I", (cam.size, cam.size), 0)
    draw = ImageDraw.Draw(img)
    for slot, quad in shell_quads:
        cc = cam.to_camera(quad)
        if slot in (2, 3) and not _outside(cc):
            _fill(draw, cam, cc, slot)
    return img


def _outside(cc: np.ndarray) -> np.ndarray:
    """Camera-space points (..., N, 3) all behind the lens or all beyond one side of the frustum."""
    x, y, z = cc[..., 0], cc[..., 1], cc[..., 2]
    return (z < NEAR).all(-1) | (x > z).all(-1) | (-x > z).all(-1) | (y > z).all(-1) | (-y > z).all(-1)


def _project(cam: Camera, cc: np.ndarray) -> tuple[np.ndarray, dict[int, list | None]]:
    """Faces (F, 4, 3) on screen as pentagons (F, 5, 2), enough for a quad cut by the near plane (a
    quad repeats a corner, a face cut away is a point off screen); and the cut ones' pixel corners
    (None: cut away)."""
    behind = (cc[..., 2] < NEAR).any(-1)
    pixels = cam.project(np.where(behind[:, None, None], 1.0, cc))[:, [0, 1, 2, 3, 3]]
    clipped: dict[int, list | None] = {}
    for i in np.flatnonzero(behind).tolist():
        poly = clip_near(cc[i])
        if len(poly) < 3:
            pixels[i], clipped[i] = -1.0, None
            continue
        xy = cam.project(poly)
        pixels[i] = xy[np.minimum(np.arange(5), len(xy) - 1)]
        clipped[i] = xy.ravel().tolist()
    return pixels, clipped


def _fill(draw: ImageDraw.ImageDraw, cam: Camera, cc: np.ndarray, key: int) -> None:
    """Fill one camera-space polygon, clipped at the near plane."""
    if (cc[:, 2] < NEAR).any():
        cc = clip_near(cc)
        if len(cc) < 3:
            return
    draw.polygon(cam.project(cc).ravel().tolist(), fill=key)


def _box_faces(nodes: list[Node], world: World, cam: Camera, room) -> tuple[_Faces, int]:
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
    seen = ~_outside(cc) & (in_camera | ~((hi < room[0]) | (lo > room[1])).any(axis=1))
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
    faces = _Faces(flo, fhi, axis, ids[j] * 8 + shade, node[j], outline, cc[j[:, None], FACE_LOOP[k]],
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


def _depth_order(f: _Faces, pixels: np.ndarray, eye: np.ndarray, size: int, n: int) -> list[int]:
    """The first ``n`` faces in drawing order: occlusion constraints sorted topologically, far to
    near where none applies."""
    f, pixels = f.take(slice(n)), pixels[:n]
    p0, p1, p2, p3, p4 = pixels[:, 0], pixels[:, 1], pixels[:, 2], pixels[:, 3], pixels[:, 4]
    low = np.clip(np.minimum(np.minimum(np.minimum(p0, p1), np.minimum(p2, p3)), p4), 0, size)
    high = np.clip(np.maximum(np.maximum(np.maximum(p0, p1), np.maximum(p2, p3)), p4), 0, size)
    x0, y0, x1, y1 = low[:, 0], low[:, 1], high[:, 0], high[:, 1]
    overlap = (x0[:, None] < x1) & (x0 < x1[:, None]) & (y0[:, None] < y1) & (y0 < y1[:, None])
    overlap &= (f.node[:, None] != f.node) | f.hollow  # a closed box's own faces never overlap
    a, b = np.nonzero(overlap)
    a, b = a[a < b], b[a < b]
    lo_a, hi_a, lo_b, hi_b = f.lo[a], f.hi[a], f.lo[b], f.hi[b]
    a_below, b_below = hi_a <= lo_b, hi_b <= lo_a  # (E, 3): wholly on one side, per axis; both if coplanar
    # With the eye beyond the gap on one face's side, only that face can cover the other; with the
    # eye inside the gap, neither can. If two axes say opposite things, neither covers the other.
    b_over = ((a_below & (eye >= lo_b)) | (b_below & (eye <= hi_b))).any(axis=1)
    a_over = ((a_below & (eye <= hi_a)) | (b_below & (eye >= lo_a))).any(axis=1)
    coplanar = (a_below & b_below).any(axis=1) & ((a_below | b_below).sum(axis=1) == 1)
    b_later = f.node[b] >= f.node[a]  # coplanar overlaps: contents over their container
    b_over, a_over = (np.where(coplanar, b_later, b_over & ~a_over),
                      np.where(coplanar, ~b_later, a_over & ~b_over))
    gap = np.maximum(np.maximum(f.lo - eye, eye - f.hi), 0.0)
    return _toposort(len(f.lo), np.concatenate([a[b_over], b[a_over]]), np.concatenate([b[b_over], a[a_over]]),
                     np.argsort(-(gap * gap).sum(axis=1), kind="stable"),
                     lambda s, d: _overlap(pixels, s, d))


def _toposort(n: int, src: np.ndarray, dst: np.ndarray, rank: np.ndarray, overlap) -> list[int]:
    """Kahn's algorithm taking the free face earliest in ``rank``. Constraints that all hold can still
    form a cycle where screen extents overlap but the faces do not: then those between faces whose
    quads ``overlap(a, b)`` says are apart are dropped, and failing that, the earliest face is taken."""
    pos = np.empty(n, dtype=np.int64)
    pos[rank] = np.arange(n)
    if (pos[src] < pos[dst]).all():  # far to near already keeps every constraint
        return rank.tolist()
    by_src = np.argsort(src, kind="stable")
    after, bounds = dst[by_src].tolist(), np.searchsorted(src[by_src], np.arange(n + 1)).tolist()
    succ = [after[bounds[i]:bounds[i + 1]] for i in range(n)]
    indeg = np.bincount(dst, minlength=n).tolist()
    pos, rank = pos.tolist(), rank.tolist()
    heap = [pos[i] for i in range(n) if indeg[i] == 0]
    heapq.heapify(heap)
    done, out, first, refined = [False] * n, [], 0, False
    while len(out) < n:
        if heap:
            i = rank[heapq.heappop(heap)]
            if done[i]:
                continue
        elif not refined:
            refined = True
            left = [(a, b) for a in range(n) if not done[a] for b in succ[a] if not done[b]]
            apart = ~overlap(*(np.array(c) for c in zip(*left)))
            for (a, b), drop in zip(left, apart.tolist()):
                if drop:
                    succ[a].remove(b)
                    indeg[b] -= 1
                    if indeg[b] == 0:
                        heapq.heappush(heap, pos[b])
            continue
        else:
            while done[rank[first]]:
                first += 1
            i = rank[first]
        done[i] = True
        out.append(i)
        for d in succ[i]:
            indeg[d] -= 1
            if indeg[d] == 0:
                heapq.heappush(heap, pos[d])
    return out


def _overlap(pixels: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether the convex polygons ``a`` and ``b`` (indices into ``pixels`` (F, 5, 2)) share any
    area, by separating axes. Repeated corners give null axes, which separate nothing."""
    pa, pb = pixels[a], pixels[b]
    edges = np.concatenate([np.roll(pa, -1, axis=1) - pa, np.roll(pb, -1, axis=1) - pb], axis=1)  # (E, 10, 2)
    normals = np.stack([-edges[..., 1], edges[..., 0]], axis=-1)
    on_a = np.einsum("ekd,ecd->ekc", normals, pa)  # (E, axes, corners)
    on_b = np.einsum("ekd,ecd->ekc", normals, pb)
    apart = (on_a.max(axis=2) < on_b.min(axis=2)) | (on_b.max(axis=2) < on_a.min(axis=2))
    return ~apart.any(axis=1)


def _paint(draw: ImageDraw.ImageDraw, f: _Faces, pixels: np.ndarray, clipped: dict[int, list | None],
           order: list[int]) -> None:
    """Fill the faces in order: those cut by the near plane as cut, the others' outlines pulled in."""
    shrunk = _erode(pixels[:, :4], f.outline).reshape(len(pixels), 8).tolist()
    keys = f.key.tolist()
    for i in order:
        xy = clipped[i] if i in clipped else shrunk[i]
        if xy is not None and xy[0] == xy[0]:  # NaN: eroded away
            draw.draw.draw_polygon(xy, keys[i], 1)  # what ImageDraw.polygon calls, for an int ink


def _erode(pixels: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Quads (F, 4, 2) with the flagged edges moved ``ERODE`` inward; NaN where nothing is left."""
    e = pixels[:, NEXT] - pixels
    turn = e[..., 0] * e[:, NEXT, 1] - e[..., 1] * e[:, NEXT, 0]
    turning = np.where(turn.sum(axis=1) >= 0, 1.0, -1.0)[:, None, None]  # which side is in
    inward = turning * np.stack([-e[..., 1], e[..., 0]], axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = inward / np.hypot(inward[..., 0], inward[..., 1])[..., None]
        c = (n * pixels).sum(-1) + ERODE * edges * (np.abs(n[..., 0]) + np.abs(n[..., 1]))
        m, cm = n[:, PREV], c[:, PREV]  # corner i is where edge i - 1 meets edge i
        det = m[..., 0] * n[..., 1] - m[..., 1] * n[..., 0]
        out = np.stack([cm * n[..., 1] - c * m[..., 1], m[..., 0] * c - n[..., 0] * cm], axis=-1) / det[..., None]
    degenerate = ~np.isfinite(out).all(axis=(1, 2)) | (np.abs(det) < 1e-9).any(axis=1)
    out = np.where(degenerate[:, None, None], pixels, out)
    vanished = (((out[:, NEXT] - out) * e).sum(-1) <= 0).any(axis=1) & ~degenerate  # an edge turned round
    return np.where(vanished[:, None, None], np.nan, out)
