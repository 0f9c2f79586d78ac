"""The first-person view: the scene graph's boxes drawn with a depth buffer (``raster.py``, compiled
with numba), an RGB frame and an instance mask read off one image of keys, ``mask id * 8 + shade``,
so that the two always agree. This module keeps what changes seldom: the graph's boxes as arrays,
rebuilt only when something moves, and the colour of every key, rebuilt only when something is
switched on or off. ``tests/`` checks the masks against an exact per-pixel ray caster over the same
boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np

from envs.household import palette
from envs.household.camera import Camera
from envs.household.scenegraph import WALL_HEIGHT, Node, build
from envs.household.world import World

# Brightness of a face by which way it points (+x, -x, +y, -y, +z, -z), inside a container, and lit.
SHADES = np.array([0.82, 0.74, 1.0, 0.5, 0.9, 0.66, 0.42, 1.0])
INTERIOR, LIT = 6, 7  # the last two shade slots
ROOM = {  # shell colours: walls, floor, ceiling
    "Kitchen": ((222, 214, 196), (150, 126, 98), (236, 236, 232)),
    "LivingRoom": ((205, 212, 220), (120, 92, 70), (236, 236, 232)),
    "Bedroom": ((215, 205, 225), (140, 112, 88), (236, 236, 232)),
    "Bathroom": ((200, 225, 228), (170, 170, 165), (240, 240, 240)),
}
UNKNOWN = (128, 128, 128)  # classes outside ALFRED's list (stools, shelving units...)


@dataclass
class Frame:
    rgb: np.ndarray  # (H, W, 3) uint8
    mask: np.ndarray  # (H, W) int32: object index + 1, 0 for floor, walls and ceiling


@dataclass
class Boxes:
    """The scene graph's boxes in scene order (contents after their container, the held one last),
    as the arrays ``raster.frame`` draws."""

    lo: np.ndarray  # (B, 3) float64
    hi: np.ndarray  # (B, 3)
    ids: np.ndarray  # (B,) int64: mask id
    open_face: np.ndarray  # (B,) int64: the face left out of an open box, -1 for none
    in_camera: np.ndarray  # (B,) bool: given in camera coordinates (the held object)

    @classmethod
    def of(cls, nodes: list[Node]) -> "Boxes":
        lo = np.array([n.lo for n in nodes], dtype=np.float64).reshape(-1, 3)
        hi = np.array([n.hi for n in nodes], dtype=np.float64).reshape(-1, 3)
        ids = np.array([n.id for n in nodes], dtype=np.int64)
        open_face = np.array([-1 if n.open_face is None else n.open_face for n in nodes], dtype=np.int64)
        in_camera = np.array([n.frame == "camera" for n in nodes], dtype=bool)
        return cls(lo, hi, ids, open_face, in_camera)


class EgoRenderer:
    def __init__(self, world: World, size: int = 224):
        # Imported here, not with the env: numba brings LLVM (~110 MiB resident), which only a process
        # that draws first-person frames should pay for.
        from envs.household import raster

        self._frame = raster.frame
        self.size = size
        x0, z0, x1, z1 = world.scene.floor
        self._room = (np.array([x0, 0.0, z0]), np.array([x1, WALL_HEIGHT, z1]))  # what the shell's quads enclose
        walls, floor, ceiling = ROOM.get(world.scene.room_type, ROOM["Kitchen"])
        self.shell_colors = {0: walls, 1: walls, 4: walls, 5: walls, 2: floor, 3: ceiling}
        self._base: np.ndarray | None = None  # class colour per mask id, kept while the objects stay
        self._lut: tuple[tuple, np.ndarray] | None = None  # and the table, while nothing is switched
        self._graph: tuple | None = None  # (state key, boxes) of the last frame

    def _boxes(self, world: World) -> Boxes:
        """The scene graph's boxes, rebuilt only when something moved, opened, closed or was cut: the
        agent walking about (``find``) changes the view, not the boxes."""
        key = (len(world.objects), world.agent.held,
               tuple((o.parent, o.is_open, o.alive, o.center) for o in world.objects if o.pickupable or o.openable))
        if self._graph is None or self._graph[0] != key:
            self._graph = (key, Boxes.of([n for root in build(world) for n in root.flatten()]))
        return self._graph[1]

    def lut(self, world: World, lit: list[int] | None = None) -> np.ndarray:
        """RGB (uint8) for every ``id * 8 + shade`` key of this world (``lit``: the ids switched on)."""
        n = len(world.objects) + 1
        if lit is None:
            lit = _lit(world)
        if self._lut is not None and self._lut[0] == (n, lit):
            return self._lut[1]
        if self._base is None or len(self._base) != n:  # new objects appear only when something is sliced
            # the shell's row is a placeholder: its slots are set one by one below. fromiter over the
            # flattened rows: np.array takes twice as long over a list of tuples
            rows = [self.shell_colors[0]] + [_colour(o.cls, o.materials or ()) for o in world.objects]
            self._base = np.fromiter(chain.from_iterable(rows), np.float64, 3 * n).reshape(n, 3)
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
        cam = Camera.at_agent(world.agent, self.size)
        boxes, lit = self._boxes(world), _lit(world)
        table = self.lut(world, lit)
        on = np.zeros(len(world.objects) + 1, dtype=bool)
        on[lit] = True
        rgb = np.empty((self.size, self.size, 3), dtype=np.uint8)
        mask = np.empty((self.size, self.size), dtype=np.int32)
        self._frame(boxes.lo, boxes.hi, boxes.ids * 8, on[boxes.ids], boxes.open_face, boxes.in_camera,
                     cam.rotation, cam.position, *self._room, cam.focal, table, rgb, mask)
        return Frame(rgb=rgb, mask=mask)


@lru_cache(maxsize=None)  # a few hundred (class, material) pairs; every reset asks for ~70 objects
def _colour(cls: str, materials: tuple[str, ...]) -> tuple[int, int, int]:
    return palette.rgb(cls, materials) if cls in palette.PALETTE else UNKNOWN


def _lit(world: World) -> list[int]:
    """Mask ids of the objects switched on (drawn in their lit shade)."""
    return [o.idx + 1 for o in world.objects if o.is_on and o.alive]
