"""The first-person view: a painter's-algorithm renderer over the scene graph's boxes, in numpy + Pillow.

Faces are drawn far to near into one integer image whose value is ``mask id * 8 + shade``; the
instance mask and the RGB frame are both read from it, so they always agree. Furniture is ordered by
its distance to the camera, and whatever rests on or in a piece of furniture is drawn right after
it (inside an open container: after its inner walls, before its outer ones). Back faces are culled
with the boxes' known normals and polygons are clipped at the near plane. All corners are projected
in one numpy pass; Python only walks the faces that are drawn. ``tests/`` checks the masks against an
exact per-pixel ray caster over the same boxes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from envs.household import palette
from envs.household.camera import NEAR, Camera, clip_near
from envs.household.scenegraph import CORNER_BITS, FACE_CORNERS, Node, build, shell
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


@dataclass
class Frame:
    rgb: np.ndarray  # (H, W, 3) uint8
    mask: np.ndarray  # (H, W) int32: object index + 1, 0 for floor, walls and ceiling


class EgoRenderer:
    def __init__(self, world: World, size: int = 224):
        self.size = size
        self.shell = shell(world.scene.floor)
        walls, floor, ceiling = ROOM.get(world.scene.room_type, ROOM["Kitchen"])
        self.shell_colors = {0: walls, 1: walls, 4: walls, 5: walls, 2: floor, 3: ceiling}
        self._base: np.ndarray | None = None  # class colour per mask id, kept while the objects stay
        self._rooms: OrderedDict = OrderedDict()  # pose -> floor, walls and ceiling drawn from there

    def _room(self, pose: tuple, cam: Camera) -> Image.Image:
        """The room's shell seen from a pose; the agent stands at a few poses per episode, so keep some."""
        img = self._rooms.get(pose)
        if img is None:
            img = self._rooms[pose] = _room_layer(self.shell, cam)
            if len(self._rooms) > ROOM_CACHE:
                self._rooms.popitem(last=False)
        return img

    def lut(self, world: World) -> np.ndarray:
        """RGB (uint8) for every ``id * 8 + shade`` key of this world."""
        n = len(world.objects) + 1
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
        lit = [o.idx + 1 for o in world.objects if o.is_on and o.alive]
        if lit:
            colors[lit, LIT] = np.minimum(base[lit] * 1.25 + 40, 255)
        return np.clip(np.rint(colors.reshape(-1, 3)), 0, 255).astype(np.uint8)

    def render(self, world: World) -> Frame:
        a = world.agent
        cam = Camera.at_agent(a, self.size)
        img = self._room((a.x, a.z, a.yaw, a.horizon), cam).copy()
        draw = ImageDraw.Draw(img)
        roots = build(world)
        if roots:
            _Pass(draw, cam, roots, world).run()
        keys = np.asarray(img, dtype=np.int32)
        return Frame(rgb=np.take(self.lut(world), keys, axis=0), mask=keys >> 3)


def _room_layer(shell_quads, cam: Camera) -> Image.Image:
    img = Image.new("I", (cam.size, cam.size), 0)
    draw = ImageDraw.Draw(img)
    for slot, quad in shell_quads:
        cc = cam.to_camera(quad)
        if not _outside(cc):
            _polygon(draw, cam, cc, None, slot)
    return img


def _outside(cc: np.ndarray) -> bool:
    """Camera-space points (..., N, 3) all behind the lens or all beyond one side of the frustum."""
    x, y, z = cc[..., 0], cc[..., 1], cc[..., 2]
    return (z < NEAR).all(-1) | (x > z).all(-1) | (-x > z).all(-1) | (y > z).all(-1) | (-y > z).all(-1)


def _polygon(draw: ImageDraw.ImageDraw, cam: Camera, poly: np.ndarray, pixels: np.ndarray | None, key: int) -> None:
    """Fill one face; ``pixels`` are its projected corners when none is behind the near plane."""
    if pixels is None:
        if (poly[:, 2] < NEAR).any():
            poly = clip_near(poly)
            if len(poly) < 3:
                return
        pixels = cam.project(poly)
    draw.polygon(pixels.ravel().tolist(), fill=key)


class _Pass:
    """One frame's drawing: every node's corners, distance and facing computed in bulk."""

    def __init__(self, draw: ImageDraw.ImageDraw, cam: Camera, roots: list[Node], world: World):
        self.draw, self.cam, self.roots = draw, cam, roots
        nodes = [n for r in roots for n in r.flatten()]
        self.index = {id(n): j for j, n in enumerate(nodes)}
        lo = np.array([n.lo for n in nodes])
        hi = np.array([n.hi for n in nodes])
        in_camera = np.array([n.frame == "camera" for n in nodes])
        corners = lo[:, None, :] + CORNER_BITS[None] * (hi - lo)[:, None, :]
        cc = np.where(in_camera[:, None, None], corners, cam.to_camera(corners))
        eye = np.where(in_camera[:, None], 0.0, cam.position[None, :])
        gap = np.maximum(np.maximum(lo - eye, eye - hi), 0.0)
        self.distance = np.sqrt((gap * gap).sum(axis=1)) - 1e9 * in_camera  # the hand is nearest of all
        # A face is seen from outside when the eye is beyond its plane: +x face if eye.x > hi.x, and so on.
        self.front = np.stack([eye[:, 0] > hi[:, 0], eye[:, 0] < lo[:, 0], eye[:, 1] > hi[:, 1],
                               eye[:, 1] < lo[:, 1], eye[:, 2] > hi[:, 2], eye[:, 2] < lo[:, 2]], axis=1)
        self.outside = _outside(cc).tolist()
        behind = cc[..., 2] < NEAR
        with np.errstate(divide="ignore", invalid="ignore"):
            pixels = cam.project(np.where(behind[..., None], 1.0, cc))
        # Per node and face: whether it needs clipping, and its corners in pixels as plain lists for Pillow.
        self.clip = behind[:, FACE_CORNERS].any(axis=2).tolist()
        self.face_pixels = pixels[:, FACE_CORNERS].reshape(len(nodes), 6, 8)
        self.front, self.distance = self.front.tolist(), self.distance.tolist()
        self.cc = cc
        self.lit = [n.frame == "world" and world.objects[n.id - 1].is_on for n in nodes]

    def run(self) -> None:
        for node in self._far_to_near(self.roots):
            self._node(node)

    def _far_to_near(self, nodes: list[Node]) -> list[Node]:
        return sorted(nodes, key=lambda n: (-self.distance[self.index[id(n)]], n.id))

    def _face(self, j: int, node: Node, k: int, slot: int) -> None:
        if self.clip[j][k]:
            _polygon(self.draw, self.cam, self.cc[j, FACE_CORNERS[k]], None, node.id * 8 + slot)
        else:
            self.draw.polygon(self.face_pixels[j, k].tolist(), fill=node.id * 8 + slot)

    def _node(self, node: Node) -> None:
        j = self.index[id(node)]
        visible = not self.outside[j]
        front, lit = self.front[j], self.lit[j]
        if visible and node.open_face is not None:
            for k in range(6):
                if k != node.open_face and not front[k]:
                    self._face(j, node, k, INTERIOR)
        elif visible:
            for k in range(6):
                if front[k]:
                    self._face(j, node, k, LIT if lit else k)
        for piece in node.pieces:  # the rest of a holed counter, before anything that rests on it
            self._node(piece)
        for child in self._far_to_near(node.children):
            self._node(child)
        if visible and node.open_face is not None:
            for k in range(6):
                if k != node.open_face and front[k]:
                    self._face(j, node, k, LIT if lit else k)
