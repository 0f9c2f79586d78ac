"""The first-person frame's pixels, compiled with numba: a depth buffer over the room's shell and the
scene graph's boxes, then colours and the instance mask read off one image of keys.

Depth is that of the exact ray caster the tests hold it to: a pixel's ray is its centre's, a face's
depth along it ``(plane - eye) / direction`` on the face's axis, kept as its inverse (a product with
the face's reciprocal per pixel, not a division). Coplanar faces therefore get bitwise equal depths
and the later in scene order wins (contents over their container), as in the reference. A face's
pixels are those whose centres fall in its outline, clipped at the near plane and projected, row by
row. The eye is inside the room, so the shell's six sides, drawn first, cover the frame once and
hide whatever lies beyond the walls.

Numba compiles on the first call and keeps the machine code next to this file (``cache=True``), so a
later process only loads it. Everything stays in float64 without fast-math: frames must be the same
byte for byte on every machine, and ties between coplanar faces must stay exact.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from envs.household.camera import NEAR
from envs.household.ego import INTERIOR, LIT  # shade slots beyond the six directions

# Corner i of a box is lo + bits(i) * (hi - lo), bits = (x, y, z); a face (+x, -x, +y, -y, +z, -z)
# is the loop of four of them.
FACE_LOOP = np.array([[4, 6, 7, 5], [0, 2, 3, 1], [2, 6, 7, 3], [0, 4, 5, 1], [1, 5, 7, 3], [0, 4, 6, 2]])

jit = numba.njit(cache=True, nogil=True, boundscheck=False)


@jit
def frame(lo, hi, base, lit, open_face, in_camera, rot, eye, room_lo, room_hi, focal, table, rgb, mask):
    """Draw boxes (``lo``/``hi`` (B, 3); the held one in camera coordinates, ``in_camera``) in the room
    ``room_lo``..``room_hi`` seen by a camera (``rot``: rows are its axes in the world, ``eye``), into
    ``rgb`` (S, S, 3) uint8 and ``mask`` (S, S) int32. A face's key is ``base`` (mask id * 8) plus its
    shade: its direction seen from outside (or ``LIT``), ``INTERIOR`` seen from inside; an open box
    (``open_face`` >= 0) lacks that face and shows its inner walls. ``table``: RGB by key; the shell's
    keys are its slots (walls 0, 1, 4, 5, floor 2, ceiling 3)."""
    size = mask.shape[0]
    half = size / 2
    cx, cy = np.empty(size), np.empty(size)  # pixel centres on the image plane at unit depth
    for i in range(size):
        cx[i], cy[i] = (i + 0.5 - half) / focal, (half - (i + 0.5)) / focal
    depth = np.zeros((size, size))  # inverse depth, larger is nearer; 0 is as far as can be
    keys = np.zeros((size, size), dtype=np.int32)  # a pixel no side of the shell claims (rounding on
    # a corner of the room) shows wall
    ident, origin = np.eye(3), np.zeros(3)
    corners, poly, px, py, edges = np.empty((8, 3)), np.empty((5, 3)), np.empty(5), np.empty(5), np.empty((5, 4))
    _corners(room_lo, room_hi, rot, eye, corners)
    for k in range(6):  # from inside, side k of the room is slot k ^ 1: the +x side is the wall at x1
        _face(corners, k, room_lo, room_hi, rot, eye, k ^ 1, cx, cy, half, focal, poly, px, py, edges, depth, keys)
    for b in range(len(lo)):
        if in_camera[b]:
            r, e = ident, origin
        else:
            if not _touch(lo[b], hi[b], room_lo, room_hi):  # wholly beyond the walls
                continue
            r, e = rot, eye
        _corners(lo[b], hi[b], r, e, corners)
        if _outside(corners):
            continue
        inside = _touch(lo[b], hi[b], e, e, strict=True)
        hollow = open_face[b] >= 0
        for k in range(6):
            if k == open_face[b]:
                continue
            a = k >> 1
            front = e[a] > hi[b, a] if k % 2 == 0 else e[a] < lo[b, a]
            if front or hollow or inside:
                key = base[b] + ((LIT if lit[b] else k) if front else INTERIOR)
                _face(corners, k, lo[b], hi[b], r, e, key, cx, cy, half, focal, poly, px, py, edges, depth, keys)
    _colour(keys, table, rgb, mask)


@jit
def _colour(keys, table, rgb, mask):
    """``mask`` is the keys' mask ids, ``rgb`` their colours: four pixels at a time as three 32-bit
    words of packed colours (little-endian, as every target numba builds for), a quarter of the
    stores byte by byte would take; the few pixels left over byte by byte."""
    flat_keys, flat_mask, flat_rgb = keys.reshape(-1), mask.reshape(-1), rgb.reshape(-1)
    for i in range(flat_keys.size):
        flat_mask[i] = flat_keys[i] >> 3
    packed = np.empty(len(table), dtype=np.uint32)
    for k in range(len(table)):
        packed[k] = np.uint32(table[k, 0]) | (np.uint32(table[k, 1]) << 8) | (np.uint32(table[k, 2]) << 16)
    quads = flat_keys.size // 4
    words = flat_rgb[:12 * quads].view(np.uint32)
    for j in range(quads):
        k = 4 * j
        p0, p1 = packed[flat_keys[k]], packed[flat_keys[k + 1]]
        p2, p3 = packed[flat_keys[k + 2]], packed[flat_keys[k + 3]]
        words[3 * j] = p0 | (p1 << 24)
        words[3 * j + 1] = (p1 >> 8) | (p2 << 16)
        words[3 * j + 2] = (p2 >> 16) | (p3 << 8)
    for i in range(4 * quads, flat_keys.size):
        for c in range(3):
            flat_rgb[3 * i + c] = table[flat_keys[i], c]


@jit
def _corners(lo, hi, r, e, out):
    """A box's eight corners (``lo`` + bits * (``hi`` - ``lo``)) in camera coordinates, into ``out``."""
    for i in range(8):
        wx = (hi[0] if i & 4 else lo[0]) - e[0]
        wy = (hi[1] if i & 2 else lo[1]) - e[1]
        wz = (hi[2] if i & 1 else lo[2]) - e[2]
        for a in range(3):
            out[i, a] = r[a, 0] * wx + r[a, 1] * wy + r[a, 2] * wz


@jit
def _face(corners, k, lo, hi, r, e, key, cx, cy, half, focal, poly, px, py, edges, depth, keys):
    """Face ``k`` of the box whose camera-space ``corners`` are given: clipped, projected, filled."""
    a = k >> 1
    gap = (hi[a] if k % 2 == 0 else lo[a]) - e[a]
    if gap == 0:  # the eye in its plane: seen edge on
        return
    n = _clip(corners, FACE_LOOP[k], poly)
    if n < 3:
        return
    for i in range(n):
        px[i] = half + focal * poly[i, 0] / poly[i, 2]
        py[i] = half - focal * poly[i, 1] / poly[i, 2]
    _fill(px, py, n, edges, cx, cy, r[0, a], r[1, a], r[2, a], 1.0 / gap, key, depth, keys)


@jit
def _touch(lo, hi, other_lo, other_hi, strict=False):
    """Whether boxes ``lo``..``hi`` and ``other_lo``..``other_hi`` share a point (``strict``: an
    inner point; with ``other`` a point, whether that point is inside)."""
    for a in range(3):
        if (hi[a] <= other_lo[a] or lo[a] >= other_hi[a]) if strict else (hi[a] < other_lo[a] or lo[a] > other_hi[a]):
            return False
    return True


@jit
def _outside(cc):
    """Camera-space corners (8, 3) all behind the near plane or all beyond one side of the frustum."""
    behind = left = right = below = above = True
    for i in range(8):
        x, y, z = cc[i, 0], cc[i, 1], cc[i, 2]
        behind &= z < NEAR
        right &= x > z
        left &= -x > z
        above &= y > z
        below &= -y > z
    return behind or left or right or below or above


@jit
def _clip(corners, loop, poly):
    """Sutherland-Hodgman: the face's four corners (``loop`` into ``corners``) cut at the near plane,
    into ``poly``; returns how many corners remain (a quad cut by one plane keeps at most five)."""
    n = 0
    for j in range(4):  # element by element: row copies would compile numba's general slicing
        a, b = loop[j], loop[(j + 1) % 4]
        az, bz = corners[a, 2], corners[b, 2]
        if az >= NEAR:
            poly[n, 0], poly[n, 1], poly[n, 2] = corners[a, 0], corners[a, 1], az
            n += 1
        if (az >= NEAR) != (bz >= NEAR):
            t = (NEAR - az) / (bz - az)
            poly[n, 0] = corners[a, 0] + t * (corners[b, 0] - corners[a, 0])
            poly[n, 1] = corners[a, 1] + t * (corners[b, 1] - corners[a, 1])
            poly[n, 2] = NEAR
            n += 1
    return n


@jit
def _fill(px, py, n, edges, cx, cy, r0, r1, r2, inv_gap, key, depth, keys):
    """Write ``key`` where the convex polygon ``px``/``py`` (n corners, pixels) covers a pixel centre
    and the face (ray direction on its axis ``cx * r0 + cy * r1 + r2``, times ``inv_gap``, the
    reciprocal of the plane's distance from the eye on that axis) is no farther than what is there."""
    size = len(cx)
    top, bottom = py[0], py[0]
    for i in range(1, n):
        top, bottom = min(top, py[i]), max(bottom, py[i])
    y0, y1 = max(math.ceil(top - 0.5), 0), min(math.floor(bottom - 0.5), size - 1)
    # Edges as (y from, y to, x at y from, dx/dy), worked out once rather than per row. A level edge
    # is left out: its ends are those of the edges either side, whose rows include their ends.
    m = 0
    for i in range(n):
        j = i + 1 if i + 1 < n else 0
        if py[i] != py[j]:
            lo, hi = (i, j) if py[i] < py[j] else (j, i)
            edges[m, 0], edges[m, 1], edges[m, 2] = py[lo], py[hi], px[lo]
            edges[m, 3] = (px[hi] - px[lo]) / (py[hi] - py[lo])
            m += 1
    for y in range(y0, y1 + 1):
        yc = y + 0.5
        left, right = np.inf, -np.inf
        for i in range(m):
            if edges[i, 0] <= yc <= edges[i, 1]:
                xc = edges[i, 2] + (yc - edges[i, 0]) * edges[i, 3]
                left, right = min(left, xc), max(right, xc)
        if left > right:
            continue
        x0, x1 = max(math.ceil(left - 0.5), 0), min(math.floor(right - 0.5), size - 1) + 1
        if x1 <= x0:  # off screen (a negative end would wrap round in a slice)
            continue
        row = cy[y] * r1 + r2
        # The span as slices indexed from 0 (no negative indices to wrap), and selects rather than
        # branches: the loop vectorises, some four times faster.
        d, kk, c = depth[y, x0:x1], keys[y, x0:x1], cx[x0:x1]
        for i in range(d.size):
            w = (c[i] * r0 + row) * inv_gap
            near = w >= d[i]
            d[i] = w if near else d[i]
            kk[i] = key if near else kk[i]
