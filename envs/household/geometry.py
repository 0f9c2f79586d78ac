"""Plane geometry of the household world: reach, field of view and interaction poses.

Coordinates are AI2-THOR's: metres, y up, yaw 0 looks along +z and 90 along +x.
"""

from __future__ import annotations

import math

import numpy as np

VISIBILITY_DISTANCE = 1.5  # ALFRED's constant: objects farther than this cannot be interacted with
CAMERA_HEIGHT = 1.576  # AI2-THOR's default standing camera height
HALF_FOV = 45.0  # AI2-THOR's 90 degree field of view
FOV_MARGIN = 5.0  # an object whose edge is at the border of the frame still counts as in view
NEAR = 0.35  # objects this close are in reach whatever the yaw (they sit right under the camera)
MIN_STANDOFF = 0.05  # a pose must not stand inside the object's footprint
MAX_HORIZON, MIN_HORIZON = 60.0, -30.0  # AI2-THOR's camera pitch limits (positive looks down)


def wrap(angle: float) -> float:
    """An angle in degrees mapped into (-180, 180]."""
    a = math.fmod(angle + 180.0, 360.0)
    if a <= 0:
        a += 360.0
    return a - 180.0


def footprint_distance(x: float, z: float, center, size) -> float:
    """Horizontal distance from a point to an axis-aligned box's footprint (0 inside it)."""
    dx = max(abs(x - center[0]) - size[0] / 2, 0.0)
    dz = max(abs(z - center[2]) - size[2] / 2, 0.0)
    return math.hypot(dx, dz)


def yaw_to(x: float, z: float, tx: float, tz: float) -> float:
    return math.degrees(math.atan2(tx - x, tz - z)) % 360.0


def horizon_to(x: float, z: float, target) -> float:
    """Camera pitch that looks at ``target`` (EB-ALFRED's rule: 90% of the exact angle)."""
    dist = math.hypot(target[0] - x, target[2] - z)
    up = math.degrees(math.atan2(target[1] - CAMERA_HEIGHT, max(dist, 1e-6)))
    return min(max(-0.9 * up, MIN_HORIZON), MAX_HORIZON)


def in_view(x: float, z: float, yaw: float, center, size) -> bool:
    """Whether an object's box is within reach and inside the horizontal field of view."""
    d = footprint_distance(x, z, center, size)
    if d > VISIBILITY_DISTANCE:
        return False
    if d < NEAR:
        return True
    cx, cz = center[0], center[2]
    to_center = math.degrees(math.atan2(cx - x, cz - z))
    lo = hi = 0.0
    for sx in (-0.5, 0.5):
        for sz in (-0.5, 0.5):
            corner = math.degrees(math.atan2(cx + sx * size[0] - x, cz + sz * size[2] - z))
            off = wrap(corner - to_center)
            lo, hi = min(lo, off), max(hi, off)
    rel = wrap(to_center - yaw)
    limit = HALF_FOV + FOV_MARGIN
    return rel + lo <= limit and rel + hi >= -limit


def interaction_pose(nav: np.ndarray, center, size, preferred: tuple[float, float] | None = None):
    """Where the agent stands to interact with a static object: ``(x, z, yaw, horizon, source)``.

    ALFRED's precomputed pose is kept when it still reaches the object; otherwise the nearest
    navigable point outside the footprint, facing the object's centre. ``None`` if the grid is empty.
    """
    if preferred is not None and footprint_distance(*preferred, center, size) <= VISIBILITY_DISTANCE:
        x, z = preferred
        source = "alfworld"
    else:
        if len(nav) == 0:
            return None
        x, z = nearest_standoff(nav, center, size)
        source = "nearest"
    return (x, z, round(yaw_to(x, z, center[0], center[2]), 1), round(horizon_to(x, z, center), 1), source)


def nearest_standoff(nav: np.ndarray, center, size) -> tuple[float, float]:
    """The navigable point closest to a box's footprint, not standing inside it."""
    x, z = nearest_points(nav, center, size, 1)[0]
    return float(x), float(z)


def nearest_points(nav: np.ndarray, center, size, n: int) -> np.ndarray:
    """The ``n`` navigable points closest to a box's footprint (not inside it), closest first."""
    dx = np.maximum(np.abs(nav[:, 0] - center[0]) - size[0] / 2, 0.0)
    dz = np.maximum(np.abs(nav[:, 1] - center[2]) - size[2] / 2, 0.0)
    d = np.hypot(dx, dz)
    dc = np.hypot(nav[:, 0] - center[0], nav[:, 1] - center[2])
    outside = d >= MIN_STANDOFF
    if outside.any():
        d = np.where(outside, d, np.inf)
    # lexsort's last key is primary: footprint distance, then centre distance, then coordinates.
    order = np.lexsort((nav[:, 1], nav[:, 0], np.round(dc, 6), np.round(d, 6)))[:n]
    return nav[order]
