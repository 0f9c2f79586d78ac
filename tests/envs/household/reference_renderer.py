"""Exact instance masks by ray casting, to check the depth-buffer renderer (``ego.py``, ``raster.py``). Test-only.

One ray per pixel centre is intersected with every face of the same geometry the fast renderer
draws: the room shell's quads and all faces of every scene-graph node except its ``open_face``
(the held object's in camera coordinates). Each pixel takes the nearest hit in front of the near
plane. Faces are two-sided: a box seen from inside shows its walls. Of coplanar faces hit at the
same depth, the later in scene order wins (contents over their container), as in the renderer. It
shares the renderer's idea of depth but none of its code: every ray is tested against every face,
where the renderer fills each face's outline row by row into a depth buffer. Slow, so tests run it
at small resolutions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.household.camera import NEAR, Camera
from envs.household.scenegraph import build, shell
from envs.household.world import World


@dataclass
class Faces:
    """Axis-aligned rectangles: the face spans ``lo``..``hi`` and lies in the plane ``lo[axis]``."""

    ids: np.ndarray  # (F,) mask id
    axis: np.ndarray  # (F,) normal axis: 0 x, 1 y, 2 z
    lo: np.ndarray  # (F, 3)
    hi: np.ndarray  # (F, 3)
    in_camera: np.ndarray  # (F,) bool: given in camera coordinates (the held object)

    def select(self, keep: np.ndarray) -> "Faces":
        return Faces(self.ids[keep], self.axis[keep], self.lo[keep], self.hi[keep], self.in_camera[keep])


def faces(world: World) -> Faces:
    """The shell's quads and every node's faces but its open one."""
    ids, axes, los, his, cams = [], [], [], [], []
    for _, quad in shell(world.scene.floor):
        ids.append(0)
        axes.append(int(np.argmin(np.ptp(quad, axis=0))))
        los.append(quad.min(axis=0))
        his.append(quad.max(axis=0))
        cams.append(False)
    for node in (n for root in build(world) for n in root.flatten()):
        for k in range(6):
            if k == node.open_face:
                continue
            axis, plane = k // 2, (node.hi if k % 2 == 0 else node.lo)[k // 2]
            lo, hi = node.lo.astype(np.float64), node.hi.astype(np.float64)
            lo[axis] = hi[axis] = plane
            ids.append(node.id)
            axes.append(axis)
            los.append(lo)
            his.append(hi)
            cams.append(node.frame == "camera")
    return Faces(np.array(ids, dtype=np.int32), np.array(axes), np.array(los), np.array(his),
                 np.array(cams, dtype=bool))


def _nearest(origin: np.ndarray, dirs: np.ndarray, f: Faces) -> tuple[np.ndarray, np.ndarray]:
    """Per ray (P, 3), the distance to the nearest face hit beyond the near plane and that face's index.

    Directions have unit camera-space depth, so the ray parameter t is the hit's camera-space depth.
    """
    best_t = np.full(len(dirs), np.inf)
    best_f = np.full(len(dirs), -1, dtype=np.int64)
    lo, hi = f.lo, f.hi
    for axis in range(3):
        sel = np.flatnonzero(f.axis == axis)
        if not len(sel):
            continue
        u, v = [a for a in range(3) if a != axis]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (lo[sel, axis][None, :] - origin[axis]) / dirs[:, axis, None]  # (P, F)
            pu = origin[u] + t * dirs[:, u, None]
            pv = origin[v] + t * dirs[:, v, None]
        hit = ((t >= NEAR) & (pu >= lo[sel, u]) & (pu <= hi[sel, u]) & (pv >= lo[sel, v]) & (pv <= hi[sel, v]))
        t = np.where(hit, t, np.inf)
        k = t.shape[1] - 1 - t[:, ::-1].argmin(axis=1)  # of coplanar faces, the last in scene order
        tk = t[np.arange(len(t)), k]
        better = tk < best_t
        best_t[better], best_f[better] = tk[better], sel[k[better]]
    return best_t, best_f


def reference_mask(world: World, size: int) -> np.ndarray:
    """The instance mask (size, size) int32 seen from the agent's pose: object index + 1, 0 for the shell."""
    cam = Camera.at_agent(world.agent, size)
    origin, world_dirs = cam.rays()
    world_dirs = world_dirs.reshape(-1, 3)
    cam_dirs = world_dirs @ cam.rotation.T  # back to camera axes: (x, y, 1) per pixel
    everything = faces(world)
    in_world, in_cam = everything.select(~everything.in_camera), everything.select(everything.in_camera)
    t_world, f_world = _nearest(origin, world_dirs, in_world)
    t_cam, f_cam = _nearest(np.zeros(3), cam_dirs, in_cam)
    mask = np.where(f_world >= 0, in_world.ids[f_world], 0)
    if len(in_cam.ids):
        mask = np.where(t_cam < t_world, in_cam.ids[f_cam], mask)
    return mask.reshape(size, size).astype(np.int32)
