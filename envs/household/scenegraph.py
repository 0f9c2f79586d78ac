"""What the camera can see, as boxes: the room shell, furniture, the small objects on or in it, and
the object in the agent's hand. Shared by the fast renderer (``ego.py``) and the exact reference
used in tests, so that both draw the same geometry and differ only in how they resolve depth.

Every object is its axis-aligned box from the scene catalog. Containers that are open lose one face
so their contents show: the door side of a cabinet, fridge, microwave or safe (from AI2-THOR's
rotation, which says where the front faces), the top of a box, sink, bin or pot; an open drawer also
slides out from under the counter. What lies in a closed container is not drawn at all.

AI2-THOR's boxes are fixed up first where they would hide what matters (``furniture.py``).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from envs.household.catalog import SceneSpec
from envs.household.furniture import FRAMES, box as _box, carved, supports
from envs.household.world import FLOOR, World

# Faces of a box: +x, -x, +y, -y, +z, -z.
TOP = 2

OPEN_TOP = frozenset({"SinkBasin", "BathtubBasin", "GarbageCan", "Pot", "Pan", "Bowl", "Mug", "Cup",
                      "LaundryHamper", "Toaster"})
OPEN_FRONT = frozenset({"Cabinet", "Fridge", "Microwave", "Safe"})
ALWAYS_OPEN_FRONT = frozenset({"CoffeeMachine"})  # the mug stands under the spout, in view
DRAWER_SLIDE = 0.8  # an open drawer comes out by this share of its depth

HELD_CENTER = np.array([0.16, -0.24, 0.45])  # camera coordinates: lower right, half a metre ahead
HELD_MAX, HELD_MIN = 0.3, 0.05  # metres: the held object is drawn at its size, within these bounds
WALL_HEIGHT = 2.6  # metres; iTHOR rooms have no ceiling data


class Node:
    """A box to draw: ``id`` is the mask value (object index + 1), ``frame`` "world" or "camera";
    ``pieces`` are more boxes of the same object (a holed slab), ``shift`` how far it was moved from
    where the world has it (a drawer pulled out). A plain class with slots: the renderer rebuilds the
    graph whenever something moves, and dataclass defaults cost more."""

    __slots__ = ("id", "lo", "hi", "open_face", "frame", "children", "pieces", "shift")

    def __init__(self, id: int, lo: np.ndarray, hi: np.ndarray, open_face: int | None = None,
                 frame: str = "world", shift: np.ndarray | None = None):
        self.id, self.lo, self.hi, self.open_face, self.frame, self.shift = id, lo, hi, open_face, frame, shift
        self.children: list[Node] = []
        self.pieces: list[Node] = []

    def flatten(self) -> list["Node"]:
        out = [self] + self.pieces
        for c in self.children:
            out += c.flatten()
        return out


def front_face(rotation: float) -> int:
    """The face AI2-THOR's rotation turns toward the room (rotation 0 faces +z, 90 faces +x)."""
    s, c = math.sin(math.radians(rotation)), math.cos(math.radians(rotation))
    if abs(s) > abs(c):
        return 0 if s > 0 else 1
    return 4 if c > 0 else 5


def _node(world: World, idx: int) -> Node | None:
    o = world.objects[idx]
    if o.cls in FRAMES:
        return None
    if o.pickupable:
        shape = _small_shape(o.cls, o.center, o.size, o.rotation, o.is_open)
    else:  # furniture never moves: its shape depends only on the floorplan and whether it is open
        shape = furniture_shape(world.scene, o.id, o.is_open)
    if shape is None:
        return None
    lo, hi, open_face, shift, rest = shape
    node = Node(idx + 1, lo, hi, open_face, "world", shift)
    if rest:
        node.pieces = [Node(idx + 1, a, b) for a, b in rest]
    return node


@lru_cache(maxsize=65536)  # the graph is rebuilt whenever anything moves; most objects did not
def _small_shape(cls: str, center, size, rotation, is_open: bool):
    return _shape(cls, center, size, rotation, is_open, None)


@lru_cache(maxsize=None)
def furniture_shape(scene: SceneSpec, object_id: str, is_open: bool):
    """A piece of furniture as drawn (``_shape``), a function of the floorplan and whether it is open."""
    o = scene.by_id[object_id]
    return _shape(o.type, o.center, o.size, o.rotation, is_open, carved(scene).get(o.id))


def _shape(cls: str, center, size, rotation, is_open: bool, boxes):
    """``(lo, hi, open face, drawer shift, other pieces)`` of an object as drawn, or ``None``."""
    if boxes is not None and not boxes:
        return None
    if boxes is None:
        lo, hi = _box(center, size)
        rest = []
    else:
        lo, hi = np.array(boxes[0][0]), np.array(boxes[0][1])
        rest = [(np.array(a), np.array(b)) for a, b in boxes[1:]]
    open_face, shift = None, None
    if cls in OPEN_TOP or (cls == "Box" and is_open):
        open_face = TOP
    elif cls == "Drawer" and is_open:
        shift = drawer_slide_of(size, rotation)
        lo, hi, open_face = lo + shift, hi + shift, TOP
    elif (cls in OPEN_FRONT and is_open) or cls in ALWAYS_OPEN_FRONT:
        open_face = front_face(rotation or 0.0)
    return lo, hi, open_face, shift, rest


def mouth(world: World, idx: int) -> tuple | None:
    """The opening ``(x0, z0, x1, z1, top)`` of an open-topped container as drawn (a sink, a bin, a
    pot, an open box or drawer), or ``None``."""
    o = world.objects[idx]
    open_top = o.cls in OPEN_TOP or (o.cls in ("Box", "Drawer") and o.is_open)
    if not open_top:
        return None
    (cx, cy, cz), (sx, sy, sz) = drawn_center(world, idx), o.size
    return (cx - sx / 2, cz - sz / 2, cx + sx / 2, cz + sz / 2, cy + sy / 2)


def drawer_slide(o) -> np.ndarray:
    """How far an open drawer is drawn out of its cabinet: most of its depth, toward the room."""
    return drawer_slide_of(o.size, o.rotation)


def drawer_slide_of(size, rotation) -> np.ndarray:
    face = front_face(rotation or 0.0)
    axis, sign = face // 2, 1.0 if face % 2 == 0 else -1.0
    shift = np.zeros(3)
    shift[axis] = sign * DRAWER_SLIDE * size[axis]
    return shift


def drawn_center(world: World, idx: int) -> tuple[float, float, float]:
    """Where the renderer draws an object: the world's position, moved with any open drawer it is in."""
    c = np.asarray(world.objects[idx].center, dtype=np.float64)
    for a in [idx] + world.ancestors(idx):
        o = world.objects[a]
        if o.cls == "Drawer" and o.is_open:
            c = c + drawer_slide(o)
    return tuple(c.tolist())


def _follow(child: Node, parent: Node) -> None:
    """Contents move with a drawer that slides out (and with whatever moved that drawer)."""
    if parent.shift is not None:
        _translate(child, parent.shift)


def _translate(node: Node, delta: np.ndarray) -> None:
    node.lo, node.hi = node.lo + delta, node.hi + delta
    node.shift = delta if node.shift is None else node.shift + delta
    for g in node.children:
        _translate(g, delta)


def held_node(world: World) -> Node | None:
    """The held object, in camera coordinates, in the lower part of the view."""
    held = world.agent.held
    if held is None:
        return None
    size = np.asarray(world.objects[held].size, dtype=np.float64)
    size = size * min(1.0, HELD_MAX / max(size.max(), 1e-6))
    size = np.maximum(size, HELD_MIN)
    return Node(held + 1, HELD_CENTER - size / 2, HELD_CENTER + size / 2, frame="camera")


def build(world: World) -> list[Node]:
    """Top-level nodes (furniture, things on the floor, the held object) with their contents."""
    objects, openable = world.objects, world.rules.openable
    shown: dict[int, bool] = {}

    def drawn(i: int) -> bool:
        """Lying somewhere (not in the hand) and not shut inside anything, memoised up the chain."""
        if i not in shown:
            p = objects[i].parent
            if p is None or p == FLOOR:
                shown[i] = p == FLOOR
            else:
                q = objects[p]
                shown[i] = drawn(p) and not (q.openable and not q.is_open and q.cls in openable)
        return shown[i]

    nodes: dict[int, Node] = {}
    for o in objects:
        if o.alive and drawn(o.idx):
            node = _node(world, o.idx)
            if node is not None:
                nodes[o.idx] = node
    roots = []
    on = supports(world.scene)
    by_id = {objects[i].id: i for i in nodes if not objects[i].pickupable}
    for idx, node in nodes.items():
        parent = objects[idx].parent
        if parent == FLOOR and by_id.get(on.get(objects[idx].id)) in nodes:
            nodes[by_id[on[objects[idx].id]]].children.append(node)
        elif parent == FLOOR or parent not in nodes:
            roots.append(node)
        else:
            _follow(node, nodes[parent])
            nodes[parent].children.append(node)
    held = held_node(world)
    if held is not None:
        roots.append(held)
    return roots


def shell(floor: tuple[float, float, float, float], height: float = WALL_HEIGHT) -> list[tuple[int, np.ndarray]]:
    """The room's floor, ceiling and four walls as inward-facing quads ``(shade slot, corners)``."""
    x0, z0, x1, z1 = floor
    q = lambda *pts: np.array(pts, dtype=np.float64)  # noqa: E731
    return [
        (2, q((x0, 0, z0), (x1, 0, z0), (x1, 0, z1), (x0, 0, z1))),  # floor, seen from above
        (3, q((x0, height, z0), (x0, height, z1), (x1, height, z1), (x1, height, z0))),  # ceiling
        (0, q((x0, 0, z0), (x0, 0, z1), (x0, height, z1), (x0, height, z0))),  # wall at x0, facing +x
        (1, q((x1, 0, z0), (x1, height, z0), (x1, height, z1), (x1, 0, z1))),  # wall at x1, facing -x
        (4, q((x0, 0, z0), (x0, height, z0), (x1, height, z0), (x1, 0, z0))),  # wall at z0, facing +z
        (5, q((x0, 0, z1), (x1, 0, z1), (x1, height, z1), (x0, height, z1))),  # wall at z1, facing -z
    ]
