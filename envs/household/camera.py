"""The agent's head-mounted camera: AI2-THOR's 90 degree field of view at standing height.

World coordinates are AI2-THOR's (metres, y up, yaw 0 looks along +z, 90 along +x); the horizon is
the camera pitch in degrees, positive looking down. Camera coordinates: x right, y up, z forward.
"""

from __future__ import annotations

import math

import numpy as np

from envs.household.geometry import CAMERA_HEIGHT

FOV = 90.0
NEAR = 0.05  # metres: polygons are clipped at this distance in front of the lens


class Camera:
    def __init__(self, x: float, z: float, yaw: float, horizon: float, size: int, height: float = CAMERA_HEIGHT):
        self.position = np.array([x, height, z], dtype=np.float64)
        self.size = size
        self.focal = (size / 2) / math.tan(math.radians(FOV / 2))
        psi, theta = math.radians(yaw), math.radians(horizon)
        fx, fy, fz = math.sin(psi) * math.cos(theta), -math.sin(theta), math.cos(psi) * math.cos(theta)
        rx, ry, rz = math.cos(psi), 0.0, -math.sin(psi)
        # forward x right, written out: np.cross costs more than the rest of a frame's setup
        up = (fy * rz - fz * ry, fz * rx - fx * rz, fx * ry - fy * rx)
        self.rotation = np.array([(rx, ry, rz), up, (fx, fy, fz)])  # rows: camera axes in world coordinates

    @classmethod
    def at_agent(cls, agent, size: int) -> "Camera":
        return cls(agent.x, agent.z, agent.yaw, agent.horizon, size)

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) to camera coordinates (..., 3)."""
        return (points - self.position) @ self.rotation.T

    def to_world(self, points: np.ndarray) -> np.ndarray:
        """Camera coordinates (..., 3) back to world points."""
        return points @ self.rotation + self.position

    def project(self, cam: np.ndarray) -> np.ndarray:
        """Camera points in front of the lens (..., 3) to pixel coordinates (..., 2)."""
        half = self.size / 2
        z = cam[..., 2]
        return np.stack([half + self.focal * cam[..., 0] / z, half - self.focal * cam[..., 1] / z], axis=-1)

    def rays(self) -> tuple[np.ndarray, np.ndarray]:
        """One ray per pixel centre: world origin (3,) and directions (H, W, 3), for exact rendering."""
        half = self.size / 2
        v, u = np.mgrid[0:self.size, 0:self.size] + 0.5
        cam = np.stack([(u - half) / self.focal, (half - v) / self.focal, np.ones_like(u)], axis=-1)
        return self.position, cam @ self.rotation


def clip_near(poly: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman clipping of a camera-space polygon (N, 3) against the near plane."""
    pts = poly.tolist()  # plain floats: this runs per clipped face, numpy scalars would dominate
    out = []
    for k, a in enumerate(pts):
        b = pts[(k + 1) % len(pts)]
        a_in, b_in = a[2] >= NEAR, b[2] >= NEAR
        if a_in:
            out.append(a)
        if a_in != b_in:
            t = (NEAR - a[2]) / (b[2] - a[2])
            out.append([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), NEAR])
    return np.array(out) if out else np.zeros((0, 3))
