"""The first-person view: a painter's-algorithm renderer over the scene graph's boxes, in numpy + Pillow.

Every face has a key, ``mask id * 8 + shade``; the instance mask and the RGB frame are both read from
one image of keys, so they always agree. A frame shows few keys, so they are painted renumbered into
an 8-bit image (the shell keeps 0-7) whose palette Pillow turns into RGB, far cheaper than looking up
three bytes per pixel in numpy; a frame with more keys than fit paints the keys themselves into a
32-bit image. The room's shell goes first: the eye is
inside it, so it hides nothing in the room and everything outside. Then the faces that look at the
eye, cut where boxes cross (``faces.py``, ``cuts.py``; a graph's faces are tabulated once, in
``face_table.py``), in an order where nothing nearer is painted over
(``depth_order.py``); polygons are clipped at the near plane and their outlines pulled in a little,
since Pillow fills slightly more than the pixel centres inside. ``tests/`` checks the masks against
an exact per-pixel ray caster over the same boxes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from envs.household import palette
from envs.household.camera import NEAR, Camera, clip_near
from envs.household.depth_order import depth_order
from envs.household.cuts import PieceCache
from envs.household.faces import LIT, Boxes, Faces, box_faces, outside
from envs.household.scenegraph import build, shell
from envs.household.world import World

# Brightness of a face by which way it points (+x, -x, +y, -y, +z, -z), inside a container, and lit.
SHADES = np.array([0.82, 0.74, 1.0, 0.5, 0.9, 0.66, 0.42, 1.0])
ROOM = {  # shell colours: walls, floor, ceiling
    "Kitchen": ((222, 214, 196), (150, 126, 98), (236, 236, 232)),
    "LivingRoom": ((205, 212, 220), (120, 92, 70), (236, 236, 232)),
    "Bedroom": ((215, 205, 225), (140, 112, 88), (236, 236, 232)),
    "Bathroom": ((200, 225, 228), (170, 170, 165), (240, 240, 240)),
}
UNKNOWN = (128, 128, 128)  # classes outside ALFRED's list (stools, shelving units...)
ROOM_CACHE = 32  # shell layers kept per renderer

NEXT, PREV = np.array([1, 2, 3, 0]), np.array([3, 0, 1, 2])
# Pillow fills between whole-pixel vertices, edges included: about half a pixel more all round than
# sampling pixel centres, so whatever is drawn later would grow into its neighbours. Outline edges
# are pulled in by this much to even that out (pixels, in the L1 sense as Pillow rounds per axis).
ERODE = 0.25
SHELL_KEYS = np.arange(8)  # keys of the room's shell (mask id 0), kept as they are in 8-bit images


@dataclass
class Frame:
    rgb: np.ndarray  # (H, W, 3) uint8
    mask: np.ndarray  # (H, W) int32: object index + 1, 0 for floor, walls and ceiling


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
        self._graph: tuple | None = None  # (state key, boxes) of the last frame
        self._pieces = PieceCache(self._bounds)  # boxes cut where others cross them, by box and cuts

    def _room(self, pose: tuple, cam: Camera) -> Image.Image:
        """The room's shell seen from a pose; the agent stands at a few poses per episode, so keep some."""
        img = self._rooms.get(pose)
        if img is None:
            img = self._rooms[pose] = _room_layer(self.shell, cam)
            if len(self._rooms) > ROOM_CACHE:
                self._rooms.popitem(last=False)
        return img

    def _boxes(self, world: World) -> Boxes:
        """The scene graph's boxes, rebuilt only when something moved, opened, closed or was cut: the
        agent walking about (``find``) changes the view, not the boxes."""
        key = (len(world.objects), world.agent.held,
               tuple((o.parent, o.is_open, o.alive, o.center) for o in world.objects if o.pickupable or o.openable))
        if self._graph is None or self._graph[0] != key:
            nodes = [n for root in build(world) for n in root.flatten()]
            self._graph = (key, Boxes.of(nodes, self._bounds, self._pieces))
        return self._graph[1]

    def lut(self, world: World, lit: list[int] | None = None) -> np.ndarray:
        """RGB (uint8) for every ``id * 8 + shade`` key of this world (``lit``: the ids switched on)."""
        n = len(world.objects) + 1
        if lit is None:
            lit = _lit(world)
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
        room = self._room((a.x, a.z, a.yaw, a.horizon), cam)
        boxes, lit = self._boxes(world), _lit(world)
        table = self.lut(world, lit)
        if not len(boxes.ids):
            return _frame(room.copy(), SHELL_KEYS, table)
        on = np.zeros(len(world.objects) + 1, dtype=bool)
        on[lit] = True
        faces, n_scene = box_faces(boxes, on[boxes.ids] & ~boxes.in_camera, cam)
        pixels, clipped = _project(cam, faces.cc)
        order = depth_order(faces, pixels, cam.position, self.size, n_scene)
        # The keys in use, renumbered after the shell's: a bincount and a table, where np.unique sorts.
        present = np.bincount(faces.key)
        present[:len(SHELL_KEYS)] = 0
        used = np.flatnonzero(present)
        if len(used) + len(SHELL_KEYS) > 256:
            img, paint, keys = room.convert("I"), faces.key, None
        else:
            number = np.empty(len(present), dtype=np.int64)
            number[used] = np.arange(len(SHELL_KEYS), len(SHELL_KEYS) + len(used))
            img, paint, keys = room.copy(), number[faces.key], np.concatenate([SHELL_KEYS, used])
        # The held box is nearest of all, and faces of one box never overlap: any order will do.
        _paint(ImageDraw.Draw(img), faces, paint, pixels, clipped, order + list(range(n_scene, len(pixels))))
        return _frame(img, keys, table)


def _frame(img: Image.Image, keys: np.ndarray | None, table: np.ndarray) -> Frame:
    """The RGB frame and mask of an image of renumbered keys (``keys``: the key of each number), or,
    with ``keys`` None, of the keys themselves."""
    if keys is None:
        full = np.asarray(img, dtype=np.int32)
        return Frame(rgb=np.take(table, full, axis=0), mask=full >> 3)
    img.putpalette(table[keys].tobytes())
    rgb = np.empty((img.height, img.width, 3), dtype=np.uint8)
    rgb.data.cast("B")[:] = img.convert("RGB").tobytes()  # one copy fewer than np.array(image)
    return Frame(rgb=rgb, mask=np.take((keys >> 3).astype(np.int32), np.asarray(img)))


def _lit(world: World) -> list[int]:
    """Mask ids of the objects switched on (drawn in their lit shade)."""
    return [o.idx + 1 for o in world.objects if o.is_on and o.alive]


def _room_layer(shell_quads, cam: Camera) -> Image.Image:
    """Floor and ceiling over the walls: the image starts as wall (key 0), all four being one colour."""
    img = Image.new("L", (cam.size, cam.size), 0)
    draw = ImageDraw.Draw(img)
    for slot, quad in shell_quads:
        if slot in (2, 3):
            cc = cam.to_camera(quad)
            if not outside(cc):
                _fill(draw, cam, cc, slot)
    return img


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


def _paint(draw: ImageDraw.ImageDraw, f: Faces, paint: np.ndarray, pixels: np.ndarray,
           clipped: dict[int, list | None], order: list[int]) -> None:
    """Fill the faces in order with their ``paint`` values: those cut by the near plane as cut, the
    others' outlines pulled in."""
    shrunk = _erode(pixels[:, :4], f.outline).reshape(len(pixels), 8).tolist()
    keys = paint.tolist()
    for i in order:
        xy = clipped[i] if i in clipped else shrunk[i]
        if xy is not None and xy[0] == xy[0]:  # NaN: eroded away
            draw.draw.draw_polygon(xy, keys[i], 1)  # what ImageDraw.polygon calls, for an int ink


def _erode(pixels: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Quads (F, 4, 2) with the flagged edges moved ``ERODE`` inward; NaN where nothing is left.
    Points are complex numbers here: a quarter turn is a product, which halves the numpy calls."""
    z = pixels[..., 0] + 1j * pixels[..., 1]
    e = z[:, NEXT] - z
    turn = (e.conj() * e[:, NEXT]).imag.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = e * (np.where(turn >= 0, 1j, -1j)[:, None] / np.abs(e))  # unit normals, pointing in
        c = (n.conj() * z).real + ERODE * edges * (np.abs(n.real) + np.abs(n.imag))
        m, cm = n[:, PREV], c[:, PREV]  # corner i is where edge i - 1 meets edge i
        det = (m.conj() * n).imag
        out = 1j * (c * m - cm * n) / det
    degenerate = ~np.isfinite(out).all(axis=1) | (np.abs(det) < 1e-9).any(axis=1)
    out = np.where(degenerate[:, None], z, out)
    vanished = (((out[:, NEXT] - out).conj() * e).real <= 0).any(axis=1) & ~degenerate  # an edge turned round
    out = np.where(vanished[:, None], np.nan, out)
    return out.view(np.float64).reshape(len(out), 4, 2)  # (x, y) pairs: how complex numbers are laid out
