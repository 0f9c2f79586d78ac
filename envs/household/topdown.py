"""A top-down map of the room: furniture footprints, small objects, the agent and where it looks.

The furniture layer is drawn once per floorplan and size; each frame only adds what moves.
"""

from __future__ import annotations

import math
import zlib
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from envs.household.catalog import SceneSpec
from envs.household.world import World

BACKGROUND = (24, 24, 28)
FLOOR = (92, 88, 80)
NAVIGABLE = (118, 112, 100)
AGENT = (255, 255, 255)


def class_color(cls: str) -> tuple[int, int, int]:
    """A stable colour per class (crc32, not ``hash``, so it is the same in every process)."""
    h = zlib.crc32(cls.encode())
    return (64 + h % 160, 64 + (h >> 8) % 160, 64 + (h >> 16) % 160)


class MapFrame:
    """World (x, z) to pixels of a square map: +x right, +z up, the whole floor in view."""

    def __init__(self, scene: SceneSpec, size: int):
        x0, z0, x1, z1 = scene.floor
        self.x0, self.z1 = x0, z1
        self.scale = (size - 4) / max(x1 - x0, z1 - z0)

    def px(self, x: float, z: float) -> tuple[float, float]:
        return 2 + (x - self.x0) * self.scale, 2 + (self.z1 - z) * self.scale


class TopDown(MapFrame):
    def __init__(self, world: World, size: int):
        super().__init__(world.scene, size)
        self.background = _background(world.scene, size)

    def render(self, world: World) -> np.ndarray:
        img = self.background.copy()
        draw = ImageDraw.Draw(img)
        for o in world.objects:
            if not o.alive or not o.pickupable or o.parent is None:
                continue
            cx, cy = self.px(o.center[0], o.center[2])
            r = max(1.5, 0.06 * self.scale)
            draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=class_color(o.cls))
        a = world.agent
        ax, ay = self.px(a.x, a.z)
        rad = math.radians(a.yaw)
        r = max(3.0, 0.18 * self.scale)
        tip = (ax + r * math.sin(rad), ay - r * math.cos(rad))
        left = (ax + 0.6 * r * math.sin(rad - 2.4), ay - 0.6 * r * math.cos(rad - 2.4))
        right = (ax + 0.6 * r * math.sin(rad + 2.4), ay - 0.6 * r * math.cos(rad + 2.4))
        draw.polygon([tip, left, right], fill=AGENT)
        if a.held is not None:
            draw.ellipse([tip[0] - 2, tip[1] - 2, tip[0] + 2, tip[1] + 2],
                         fill=class_color(world.objects[a.held].cls))
        return np.asarray(img, dtype=np.uint8)


@lru_cache(maxsize=64)
def _background(scene: SceneSpec, size: int) -> Image.Image:
    view = MapFrame(scene, size)
    x0, z0, x1, z1 = scene.floor
    img = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(img)
    draw.rectangle([*view.px(x0, z1), *view.px(x1, z0)], fill=FLOOR)
    h = 0.125 * view.scale
    for x, z in scene.navigable:
        cx, cy = view.px(x, z)
        draw.rectangle([cx - h, cy - h, cx + h, cy + h], fill=NAVIGABLE)
    for o in sorted(scene.statics, key=lambda o: o.center[1] + o.size[1] / 2):
        if o.size[1] < 0.02 or o.type in ("Window", "Painting", "Mirror", "Blinds", "Curtains", "LightSwitch",
                                           "Poster"):
            continue
        cx, _, cz = o.center
        sx, _, sz = o.size
        draw.rectangle([*view.px(cx - sx / 2, cz + sz / 2), *view.px(cx + sx / 2, cz - sz / 2)],
                       fill=class_color(o.type), outline=(20, 20, 20))
    return img
