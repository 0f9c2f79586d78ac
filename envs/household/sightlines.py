"""Lines of sight through the furniture the renderer draws: where ``find`` stands to see an object,
and where an object may be placed so that someone in the room can see it.

EB-ALFRED's ``find`` teleports to the nearest reachable point and retries farther ones when that
fails; we retry when furniture would block the view (a desk in front of the coffee table, a lamp in
front of the mug). Only furniture counts (it never moves, doors drawn shut), so every answer is a
pure function of the floorplan and the target's box and is cached; what contains the target does
not block (one looks into an open cabinet, a sink or a bin).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from envs.household import geometry
from envs.household.catalog import SceneSpec
from envs.household.furniture import FRAMES, carved
from envs.household.world import INSIDE as INSIDE_TYPES

CANDIDATES = 48  # navigable points tried per object, nearest first
ENOUGH_PIXELS = 40  # estimated pixels of a 224x224 frame that make a standing point good enough
FOCAL_224 = 112.0  # pixels: the focal length of a 224x224 frame with a 90 degree field of view
FRAME = 0.95  # of the half field of view: a point right at the border may fall outside
CHUNK = 4  # standing points tested per vectorised step
PLACEMENT_EYES = 8  # navigable points nearest to a piece of furniture, from which new objects must show
EPS = 1e-9
TOUCH = 0.005  # metres: a box the segment enters closer than this to its point is one the point lies on


@lru_cache(maxsize=None)  # one per floorplan
def static_boxes(scene: SceneSpec) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """The furniture boxes the renderer draws with every door shut: ids and corners."""
    cut, ids, lo, hi = carved(scene), [], [], []
    for o in scene.statics:
        if o.type in FRAMES:
            continue
        c, s = np.asarray(o.center), np.asarray(o.size)
        for a, b in cut.get(o.id, [(tuple(c - s / 2), tuple(c + s / 2))]):
            ids.append(o.id)
            lo.append(a)
            hi.append(b)
    return tuple(ids), np.array(lo, dtype=np.float64).reshape(-1, 3), np.array(hi, dtype=np.float64).reshape(-1, 3)


@lru_cache(maxsize=8192)
def _boxes_without(scene: SceneSpec, ignore: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
    ids, lo, hi = static_boxes(scene)
    keep = np.array([i not in ignore for i in ids], dtype=bool)
    return lo[keep], hi[keep]


def clear(eyes: np.ndarray, points: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """(E, P) whether the segment from each eye to each point misses every box."""
    d = points[None, :, :] - eyes[:, None, :]  # (E, P, 3)
    inv = 1.0 / np.where(np.abs(d) < EPS, EPS, d)
    t1 = (lo[None, None] - eyes[:, None, None, :]) * inv[:, :, None, :]  # (E, P, B, 3)
    t2 = (hi[None, None] - eyes[:, None, None, :]) * inv[:, :, None, :]
    near, far = np.minimum(t1, t2).max(axis=3), np.maximum(t1, t2).min(axis=3)
    # A box counts if the segment enters it before reaching the point, by more than a few
    # millimetres (boxes the point lies on do not count): a share of the length would let a box
    # that holds the point 2 cm deep at 1 m pass.
    before = 1.0 - TOUCH / np.maximum(np.sqrt((d * d).sum(-1)), TOUCH)  # (E, P)
    return ~((near < far) & (far > 0.0) & (near < before[:, :, None])).any(axis=2)


@lru_cache(maxsize=1)
def _face_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 3x3 grid on each face of the unit box (-1..1): offsets, outward normals, and which two axes
    span each face (for the area a point stands for)."""
    offsets, normals, spans = [], [], []
    for axis in range(3):
        u, v = [a for a in range(3) if a != axis]
        for sign in (1.0, -1.0):
            for gu in (-2 / 3, 0.0, 2 / 3):
                for gv in (-2 / 3, 0.0, 2 / 3):
                    p = np.zeros(3)
                    p[axis], p[u], p[v] = sign, gu, gv
                    offsets.append(p)
                    normals.append(np.eye(3)[axis] * sign)
                    spans.append((u, v))
    return np.array(offsets), np.array(normals), np.array(spans)


def surface_samples(center, size) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points spread over the box's six faces (a 3x3 grid on each), their outward normals, and the
    area of face each stands for: enough to tell how much of a thin card or a drawer front shows."""
    offsets, normals, spans = _face_grid()
    h = np.asarray(size, dtype=np.float64) / 2
    return np.asarray(center, dtype=np.float64) + offsets * h, normals, 4 * h[spans[:, 0]] * h[spans[:, 1]] / 9


def pixels_seen(eyes: np.ndarray, center, size, lo: np.ndarray, hi: np.ndarray, mouths: tuple = ()) -> np.ndarray:
    """(E,) about how many pixels of a 224x224 first-person frame the box covers from each eye, the
    camera turned toward it as ``find`` turns it: the faces that look at the eye, within the field
    of view, past the ``lo``/``hi`` boxes and in through the ``mouths`` of what it lies in."""
    points, normals, areas = surface_samples(center, size)
    to_eye = eyes[:, None, :] - points[None]  # (E, P, 3)
    dist2 = (to_eye ** 2).sum(-1)
    cos = (to_eye * normals[None]).sum(-1) / np.sqrt(dist2)
    shown = (cos > 0) & _in_frame(eyes, center, points)
    some = shown.any(axis=0)  # the rays that can count: about half the faces look away from the eyes
    shown[:, some] &= clear(eyes, points[some], lo, hi) & through_mouths(eyes, points[some], mouths)
    return (np.where(shown, areas * cos / dist2, 0.0)).sum(axis=1) * FOCAL_224 ** 2


def _in_frame(eyes: np.ndarray, center, points: np.ndarray) -> np.ndarray:
    """(E, P) whether each point falls inside the 90 degree frame of a camera at each eye that
    faces the centre with ``find``'s yaw and horizon."""
    psi = np.radians([geometry.yaw_to(x, z, center[0], center[2]) for x, _, z in eyes.tolist()])
    theta = np.radians([geometry.horizon_to(x, z, center) for x, _, z in eyes.tolist()])
    sp, cp, st, ct = np.sin(psi), np.cos(psi), np.sin(theta), np.cos(theta)
    forward = np.stack([sp * ct, -st, cp * ct], axis=1)  # (E, 3)
    right = np.stack([cp, np.zeros_like(cp), -sp], axis=1)
    up = np.stack([st * sp, ct, st * cp], axis=1)  # forward x right
    v = points[None] - eyes[:, None, :]  # (E, P, 3)
    depth = np.einsum("epk,ek->ep", v, forward)
    across, rise = np.einsum("epk,ek->ep", v, right), np.einsum("epk,ek->ep", v, up)
    return (depth > 0.05) & (np.abs(across) < depth * FRAME) & (np.abs(rise) < depth * FRAME)


def nearest_points(scene: SceneSpec, center, size, n: int) -> np.ndarray:
    """The ``n`` navigable points nearest to a box's footprint (not inside it), nearest first."""
    return geometry.nearest_points(scene.navigable, center, size, n)


def through_mouths(eyes: np.ndarray, points: np.ndarray, mouths: tuple) -> np.ndarray:
    """(E, P) whether each segment comes into every open-topped container ``(x0, z0, x1, z1, top)``
    the points lie in from above, through its opening rather than through a wall."""
    ok = np.ones((len(eyes), len(points)), dtype=bool)
    for x0, z0, x1, z1, top in mouths:
        ey, py = eyes[:, None, 1], points[None, :, 1]
        t = np.clip((top - ey) / np.where(np.abs(py - ey) < EPS, EPS, py - ey), 0.0, 1.0)
        x = eyes[:, None, 0] + t * (points[None, :, 0] - eyes[:, None, 0])
        z = eyes[:, None, 2] + t * (points[None, :, 2] - eyes[:, None, 2])
        ok &= (ey > top) & (x >= x0) & (x <= x1) & (z >= z0) & (z <= z1)
    return ok


@lru_cache(maxsize=16384)
def stand(scene: SceneSpec, center: tuple, size: tuple, preferred: tuple, fallback: tuple,
          ignore: frozenset[str], extra: tuple = (), mouths: tuple = ()) -> tuple[float, float]:
    """The first of ``preferred``, the nearest navigable points and ``fallback`` that is within reach
    of the box and sees enough of it (``ENOUGH_PIXELS``) past the furniture and the ``extra`` boxes
    (the small objects around it), in through the ``mouths`` of what it lies in; the one that sees
    most if none does."""
    options = [tuple(p) for p in preferred] + [tuple(p) for p in nearest_points(scene, center, size, CANDIDATES)]
    options += [tuple(p) for p in fallback]
    reach = list(dict.fromkeys((x, z) for x, z in options
                               if geometry.footprint_distance(x, z, center, size) <= geometry.VISIBILITY_DISTANCE))
    if not reach:
        return options[0]
    lo, hi = _boxes_without(scene, ignore)
    if extra:
        lo = np.concatenate([lo, np.array([b[0] for b in extra])])
        hi = np.concatenate([hi, np.array([b[1] for b in extra])])
    best, best_seen = reach[0], -1.0
    for k in range(0, len(reach), CHUNK):  # nearest first, a few at a time: usually the first will do
        eyes = np.array([(x, geometry.CAMERA_HEIGHT, z) for x, z in reach[k:k + CHUNK]])
        near = _between(lo, hi, eyes, center, size)
        seen = pixels_seen(eyes, center, size, lo[near], hi[near], mouths)
        good = np.nonzero(seen >= ENOUGH_PIXELS)[0]
        if len(good):
            return reach[k + int(good[0])]
        if seen.max() > best_seen:
            best, best_seen = reach[k + int(seen.argmax())], float(seen.max())
    return best


def _between(lo: np.ndarray, hi: np.ndarray, eyes: np.ndarray, center, size) -> np.ndarray:
    """The boxes that reach into the region spanned by the eyes and the target: only these can come
    between them."""
    c, h = np.asarray(center), np.asarray(size) / 2
    region_lo = np.minimum(eyes.min(axis=0), c - h) - 0.05
    region_hi = np.maximum(eyes.max(axis=0), c + h) + 0.05
    return ((lo <= region_hi) & (hi >= region_lo)).all(axis=1)


@lru_cache(maxsize=4096)
def _eyes_at(scene: SceneSpec, host_id: str) -> np.ndarray:
    """Camera positions at the navigable points nearest to a piece of furniture."""
    host = scene.by_id[host_id]
    pts = nearest_points(scene, host.center, host.size, PLACEMENT_EYES)
    return np.column_stack([pts[:, 0], np.full(len(pts), geometry.CAMERA_HEIGHT), pts[:, 1]])


@lru_cache(maxsize=4096)
def _boxes_around(scene: SceneSpec, host_id: str) -> tuple[np.ndarray, np.ndarray]:
    """The furniture (the host aside) within the region between a host and its eyes: only these can
    come between them."""
    host, eyes = scene.by_id[host_id], _eyes_at(scene, host_id)
    lo, hi = _boxes_without(scene, frozenset({host_id}))
    h = np.asarray(host.size) / 2
    region_lo = np.minimum(eyes.min(axis=0), np.asarray(host.center) - h) - 0.05
    region_hi = np.maximum(eyes.max(axis=0), np.asarray(host.center) + h) + 0.05
    keep = ((lo <= region_hi) & (hi >= region_lo)).all(axis=1)
    return lo[keep], hi[keep]


def seen_from_room(scene: SceneSpec, host_id: str, points, mouth: tuple | None = None) -> np.ndarray:
    """For each point, whether one of the navigable points nearest to the furniture sees it past the
    other furniture (and in through the host's ``mouth`` if it is open-topped): where a new object
    may be put so that walking up to it shows it."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    eyes = _eyes_at(scene, host_id)
    seen = clear(eyes, pts, *_boxes_around(scene, host_id))
    if mouth is not None:
        seen &= through_mouths(eyes, pts, (mouth,))
    return seen.any(axis=0)


CELL = 0.1  # metres: the grid of places on a piece of furniture checked once for reach and sight


@lru_cache(maxsize=8192)
def good_cells(scene: SceneSpec, host_id: str, need_sight: bool, open_top: bool) -> tuple[tuple[float, float], ...]:
    """Centres ``(x, z)`` of the grid cells on (or in) a piece of furniture that the agent at its
    pose can reach and, with ``need_sight``, that someone nearby can see (through the opening of an
    open-topped host): where the first placement of an episode may put things. Plain floats: a reset
    clamps, compares and rounds a few hundred of them, where numpy scalars cost ten times as much."""
    host = scene.by_id[host_id]
    (cx, cy, cz), (sx, sy, sz) = host.center, host.size
    nx, nz = max(1, int(sx / CELL)), max(1, int(sz / CELL))
    xs = cx - sx / 2 + (np.arange(nx) + 0.5) * sx / nx
    zs = cz - sz / 2 + (np.arange(nz) + 0.5) * sz / nz
    cells = [(x, z) for x in xs.tolist() for z in zs.tolist()]
    if host.pose is not None:
        px, pz, yaw = host.pose[:3]
        cells = [(x, z) for x, z in cells if geometry.in_view(px, pz, yaw, (x, 0, z), (CELL, 0, CELL))]
    if need_sight and cells:
        inside = host.type in INSIDE_TYPES
        y = (cy - sy / 2 if inside else cy + sy / 2) + 0.05
        mouth = (cx - sx / 2, cz - sz / 2, cx + sx / 2, cz + sz / 2, cy + sy / 2) if open_top else None
        seen = seen_from_room(scene, host_id, [(x, y, z) for x, z in cells], mouth)
        cells = [c for c, ok in zip(cells, seen.tolist()) if ok]
    return tuple(cells)
