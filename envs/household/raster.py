"""The first-person frame's pixels, compiled with numba: a depth buffer over the room's shell and the
scene graph's boxes, then colours and the instance mask read off one image of keys.

Depth is that of the exact ray caster the tests hold it to: a pixel's ray is its centre's, a face's
depth along it ``(plane - eye) / direction`` on the face's axis, kept as its inverse (a product with
the face's reciprocal per pixel, not a division). Coplanar faces therefore get bitwise equal depths
and the later in scene order wins (contents over their container), as in the reference. A face's
pixels are those whose centres fall in its outline, clipped at the near plane and projected, row by
row. The eye is inside the shell, so the shell's inverse depth per pixel starts the buffer and hides
whatever lies beyond the walls.

Numba compiles on the first call and keeps the machine code next to this file (``cache=True``), so a
later process only loads it. Everything stays in float64 without fast-math: frames must be the same
byte for byte on every machine, and ties between coplanar faces must stay exact.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from envs.household.camera import NEAR

INTERIOR, LIT = 6, 7  # shade slots: inside a container, switched on (0-5: the face's direction)
# Corner i of a box is lo + bits(i) * (hi - lo), bits = (x, y, z); a face (+x, -x, +y, -y, +z, -z)
# is the loop of four of them.
FACE_LOOP = np.array([[4, 6, 7, 5], [0, 2, 3, 1], [2, 6, 7, 3], [0, 4, 5, 1], [1, 5, 7, 3], [0, 4, 6, 2]])
INV_NEAR = 1.0 / NEAR
# The shell's slots by the side of the room a ray leaves through: (x lo, x hi, y lo, y hi, z lo, z hi)
# are the walls at x0 and x1, the floor, the ceiling and the walls at z0 and z1.
SHELL_SLOT = np.array([0, 1, 2, 3, 4, 5])

jit = numba.njit(cache=True, nogil=True, boundscheck=False)


@jit
def frame(lo, hi, base, lit, open_face, in_camera, rot, eye, room_lo, room_hi, focal, table, rgb, mask):
    """Draw boxes (``lo``/``hi`` (B, 3); the held one in camera coordinates, ``in_camera``) in the room
    ``room_lo``..``room_hi`` seen by a camera (``rot``: rows are its axes in the world, ``eye``), into
    ``rgb`` (S, S, 3) uint8 and ``mask`` (S, S) int32. A face's key is ``base`` (mask id * 8) plus its
    shade: its direction seen from outside (or ``LIT``), ``INTERIOR`` seen from inside; an open box
    (``open_face`` >= 0) lacks that face and shows its inner walls. ``table``: RGB by key."""
    size = mask.shape[0]
    half = size / 2
    cx = (np.arange(size) + 0.5 - half) / focal  # pixel centres on the image plane at unit depth
    cy = (half - (np.arange(size) + 0.5)) / focal
    depth = np.empty((size, size))  # inverse depth: larger is nearer
    keys = np.empty((size, size), dtype=np.int64)
    _shell(room_lo, room_hi, rot, eye, cx, cy, depth, keys)
    ident, origin = np.eye(3), np.zeros(3)
    corners = np.empty((8, 3))
    px, py = np.empty(5), np.empty(5)
    poly = np.empty((5, 3))
    for b in range(len(lo)):
        if in_camera[b]:
            r, e = ident, origin
        else:
            if (hi[b] < room_lo).any() or (lo[b] > room_hi).any():  # wholly beyond the walls
                continue
            r, e = rot, eye
        for i in range(8):
            wx = (hi[b, 0] if i & 4 else lo[b, 0]) - e[0]
            wy = (hi[b, 1] if i & 2 else lo[b, 1]) - e[1]
            wz = (hi[b, 2] if i & 1 else lo[b, 2]) - e[2]
            for a in range(3):
                corners[i, a] = r[a, 0] * wx + r[a, 1] * wy + r[a, 2] * wz
        if _outside(corners):
            continue
        inside = (lo[b] < e).all() and (e < hi[b]).all()
        hollow = open_face[b] >= 0
        for k in range(6):
            if k == open_face[b]:
                continue
            a = k >> 1
            plane = hi[b, a] if k % 2 == 0 else lo[b, a]
            front = e[a] > plane if k % 2 == 0 else e[a] < plane
            if not (front or hollow or inside) or plane == e[a]:
                continue
            key = base[b] + ((LIT if lit[b] else k) if front else INTERIOR)
            n = _clip(corners, FACE_LOOP[k], poly)
            if n < 3:
                continue
            for i in range(n):
                px[i] = half + focal * poly[i, 0] / poly[i, 2]
                py[i] = half - focal * poly[i, 1] / poly[i, 2]
            _fill(px, py, n, cx, cy, r[0, a], r[1, a], r[2, a], 1.0 / (plane - e[a]), key, depth, keys)
    for y in range(size):
        for x in range(size):
            k = keys[y, x]
            mask[y, x] = k >> 3
            rgb[y, x, 0] = table[k, 0]
            rgb[y, x, 1] = table[k, 1]
            rgb[y, x, 2] = table[k, 2]


@jit
def _shell(room_lo, room_hi, rot, eye, cx, cy, depth, keys):
    """Where each pixel's ray leaves the room: the nearest of the six sides ahead, as inverse depth
    (the largest of the six ``direction / (side - eye)``, those behind being negative)."""
    inv = np.empty(6)
    for a in range(3):
        inv[2 * a], inv[2 * a + 1] = 1.0 / (room_lo[a] - eye[a]), 1.0 / (room_hi[a] - eye[a])
    for y in range(len(cy)):
        for x in range(len(cx)):
            best, slot = -1.0, 0
            for a in range(3):
                d = cx[x] * rot[0, a] + (cy[y] * rot[1, a] + rot[2, a])  # as _fill groups it: equal planes, equal depths
                w = d * inv[2 * a]
                if w > best:
                    best, slot = w, 2 * a
                w = d * inv[2 * a + 1]
                if w > best:
                    best, slot = w, 2 * a + 1
            depth[y, x], keys[y, x] = best, SHELL_SLOT[slot]


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
    for j in range(4):
        a, b = corners[loop[j]], corners[loop[(j + 1) % 4]]
        a_in, b_in = a[2] >= NEAR, b[2] >= NEAR
        if a_in:
            poly[n] = a
            n += 1
        if a_in != b_in:
            t = (NEAR - a[2]) / (b[2] - a[2])
            poly[n, 0], poly[n, 1], poly[n, 2] = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), NEAR
            n += 1
    return n


@jit
def _fill(px, py, n, cx, cy, r0, r1, r2, inv_gap, key, depth, keys):
    """Write ``key`` where the convex polygon ``px``/``py`` (n corners, pixels) covers a pixel centre
    and the face (ray direction on its axis ``cx * r0 + cy * r1 + r2``, times ``inv_gap``, the
    reciprocal of the plane's distance from the eye on that axis) is no farther than what is there."""
    size = len(cx)
    top, bottom = py[0], py[0]
    for i in range(1, n):
        top, bottom = min(top, py[i]), max(bottom, py[i])
    y0, y1 = max(math.ceil(top - 0.5), 0), min(math.floor(bottom - 0.5), size - 1)
    for y in range(y0, y1 + 1):
        yc = y + 0.5
        left, right = np.inf, -np.inf
        for i in range(n):
            j = i + 1 if i + 1 < n else 0
            ya, yb = py[i], py[j]
            if ya == yb:
                if ya == yc:
                    left, right = min(left, px[i], px[j]), max(right, px[i], px[j])
            elif min(ya, yb) <= yc <= max(ya, yb):
                xc = px[i] + (yc - ya) * (px[j] - px[i]) / (yb - ya)
                left, right = min(left, xc), max(right, xc)
        if left > right:
            continue
        x0, x1 = max(math.ceil(left - 0.5), 0), min(math.floor(right - 0.5), size - 1)
        row = cy[y] * r1 + r2
        for x in range(x0, x1 + 1):
            w = (cx[x] * r0 + row) * inv_gap
            if w >= depth[y, x] and w <= INV_NEAR:
                depth[y, x], keys[y, x] = w, key
