"""What the camera can see, as boxes: the room shell, furniture, the small objects on or in it, and
the object in the agent's hand. Shared by the fast renderer (``ego.py``) and the exact reference
used in tests, so that both draw the same geometry and differ only in how they resolve depth.

Every object is its axis-aligned box from the scene catalog. Containers that are open lose one face
so their contents show: the door side of a cabinet, fridge, microwave or safe (from AI2-THOR's
rotation, which says where the front faces), the top of a box, sink, bin or pot; an open drawer also
slides out from under the counter. What lies in a closed container is not drawn at all.

Boxes are a coarse stand-in for meshes, so a few fixes keep them from hiding what matters: an
L-shaped counter's box, which also spans the floor inside the L, keeps only the rectangles no
navigable point stands on; a faucet or stove burner, whose box reaches into the counter, is drawn
standing on it; the frames
AI2-THOR wraps around other receptacles (a sink's rim around its basin, a shelving unit around its
shelves) are not drawn; a shelf, whose AI2-THOR box is the compartment above the board, is drawn as
its board; furniture whose box holds drawers or shelves of its own (desks, dressers, side tables,
TV stands) is drawn as its top only, the drawers and shelves drawing the body; and a
sink or bathtub basin is cut out of the counter slab above it (the slab becomes up to four pieces
around the hole) and out of the cabinets below it (their top drops to the basin's floor).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from envs.household.catalog import SceneSpec
from envs.household.world import FLOOR, World

# Faces of a box: +x, -x, +y, -y, +z, -z. Corner i of a box is lo + bits(i) * (hi - lo), bits = (x, y, z).
FACE_NORMALS = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], dtype=np.float64)
FACE_CORNERS = np.array([[4, 6, 7, 5], [0, 1, 3, 2], [2, 3, 7, 6], [0, 4, 5, 1], [1, 5, 7, 3], [0, 2, 6, 4]])
CORNER_BITS = np.array([[(i >> 2) & 1, (i >> 1) & 1, i & 1] for i in range(8)], dtype=np.float64)
TOP = 2

OPEN_TOP = frozenset({"SinkBasin", "BathtubBasin", "GarbageCan", "Pot", "Pan", "Bowl", "Mug", "Cup",
                      "LaundryHamper"})
OPEN_FRONT = frozenset({"Cabinet", "Fridge", "Microwave", "Safe"})
DRAWER_SLIDE = 0.8  # an open drawer comes out by this share of its depth

HELD_CENTER = np.array([0.16, -0.24, 0.45])  # camera coordinates: lower right, half a metre ahead
HELD_MAX, HELD_MIN = 0.3, 0.05  # metres: the held object is drawn at its size, within these bounds
WALL_HEIGHT = 2.6  # metres; iTHOR rooms have no ceiling data
FRAMES = frozenset({"Sink", "Bathtub", "ShelvingUnit"})  # drawn by their basins and shelves instead
BASINS = frozenset({"SinkBasin", "BathtubBasin"})
SLAB = 0.1  # metres: a box thinner than this above a basin is a counter top, and gets a hole
CASES = frozenset({"SideTable", "Desk", "Dresser", "TVStand", "CoffeeTable", "DiningTable"})
COMPARTMENTS = frozenset({"Drawer", "Shelf", "Cabinet"})
TOP_ONLY = 0.05  # metres: the thickness a case keeps when its drawers draw its body
BOARD = 0.03  # metres: a shelf is drawn as the board at the bottom of AI2-THOR's compartment box
SURFACES = frozenset({"CounterTop", "SinkBasin", "BathtubBasin"})  # what a faucet is mounted on
FLOOR_CLEARANCE = 0.35  # metres around a navigable point that no counter covers (the agent is ~0.2 m wide)


@dataclass
class Node:
    """A box to draw: ``id`` is the mask value (object index + 1), ``frame`` "world" or "camera"."""

    id: int
    lo: np.ndarray
    hi: np.ndarray
    open_face: int | None = None
    frame: str = "world"
    children: list["Node"] = field(default_factory=list)
    pieces: list["Node"] = field(default_factory=list)  # more boxes of the same object (a holed slab)
    shift: np.ndarray | None = None  # how far it was moved from where the world has it (a drawer pulled out)

    def corners(self) -> np.ndarray:
        return self.lo + CORNER_BITS * (self.hi - self.lo)

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


def _box(center, size) -> tuple[np.ndarray, np.ndarray]:
    (cx, cy, cz), (sx, sy, sz) = center, size  # plain floats: numpy per tiny box costs more than it saves
    return (np.array((cx - sx / 2, cy - sy / 2, cz - sz / 2)), np.array((cx + sx / 2, cy + sy / 2, cz + sz / 2)))


@lru_cache(maxsize=None)  # one per floorplan
def carved(scene: SceneSpec) -> dict[str, list[tuple[tuple, tuple]]]:
    """Furniture whose box is changed around a basin: id -> its boxes ``(lo, hi)`` after carving."""
    basins = [_box(o.center, o.size) for o in scene.statics if o.type in BASINS]
    compartments = [o.center for o in scene.statics if o.type in COMPARTMENTS]
    counters = [_box(o.center, o.size) for o in scene.statics if o.type in SURFACES]
    out = {}
    for o in scene.statics:
        if o.type in BASINS or o.type in FRAMES:
            continue
        lo, hi = _box(o.center, o.size)
        if o.type in ("Faucet", "StoveBurner"):  # their boxes reach into the counter; they stand on it
            lo, hi = _lift_onto(lo, hi, counters)
        elif o.type in CASES and any(all(lo[i] <= c[i] <= hi[i] for i in range(3)) for c in compartments):
            lo = (lo[0], max(lo[1], hi[1] - TOP_ONLY), lo[2])
        elif o.type == "Shelf":
            hi = (hi[0], min(hi[1], lo[1] + BOARD), hi[2])
        boxes = [(tuple(lo), tuple(hi))]
        if o.type == "CounterTop":
            boxes = _without_floor(lo, hi, scene.navigable)
        for blo, bhi in basins:
            boxes = [piece for lo, hi in boxes for piece in _carve(lo, hi, blo, bhi)]
        if boxes != [tuple(map(tuple, _box(o.center, o.size)))]:
            out[o.id] = boxes
    return out


@lru_cache(maxsize=None)  # one per floorplan
def supports(scene: SceneSpec) -> dict[str, str]:
    """Furniture standing on other furniture (a toaster on the counter, a lamp on a side table):
    id -> the id of what it stands on. It is drawn right after its support, like a small object."""
    cut = carved(scene)

    def boxes(o):
        return cut.get(o.id, [tuple(map(tuple, _box(o.center, o.size)))])

    statics = [o for o in scene.statics if o.type not in FRAMES and (o.id not in cut or cut[o.id])]
    out = {}
    for o in statics:
        (lo, hi), best = min(boxes(o), key=lambda b: b[0][1]), None
        cx, cz = (lo[0] + hi[0]) / 2, (lo[2] + hi[2]) / 2
        for s in statics:
            if s is o:
                continue
            for slo, shi in boxes(s):
                top = shi[1]
                if abs(top - lo[1]) < 0.05 and slo[0] <= cx <= shi[0] and slo[2] <= cz <= shi[2] \
                        and hi[1] > top and (best is None or top > best[0]):
                    best = (top, s.id)
        if best is not None:
            out[o.id] = best[1]
    return out


def _without_floor(lo, hi, nav: np.ndarray, cell: float = 0.05) -> list[tuple[tuple, tuple]]:
    """An L-shaped counter's box also covers the floor inside the L, where the agent walks: keep only
    the rectangles of its footprint that no navigable point stands on."""
    inside = nav[(nav[:, 0] > lo[0]) & (nav[:, 0] < hi[0]) & (nav[:, 1] > lo[2]) & (nav[:, 1] < hi[2])]
    if len(inside) == 0:
        return [(tuple(lo), tuple(hi))]
    nx, nz = max(1, round((hi[0] - lo[0]) / cell)), max(1, round((hi[2] - lo[2]) / cell))
    xs = lo[0] + (np.arange(nx) + 0.5) * (hi[0] - lo[0]) / nx
    zs = lo[2] + (np.arange(nz) + 0.5) * (hi[2] - lo[2]) / nz
    near = np.zeros((nx, nz), dtype=bool)
    for x, z in inside:  # an agent needs about this much room around the point it stands on
        near |= (np.abs(xs - x)[:, None] <= FLOOR_CLEARANCE) & (np.abs(zs - z)[None, :] <= FLOOR_CLEARANCE)
    solid, taken, out = ~near, np.zeros_like(near), []
    for i in range(nx):  # greedy rectangles: a run along z, grown along x while the run stays solid
        for j in range(nz):
            if not solid[i, j] or taken[i, j]:
                continue
            j1 = j
            while j1 + 1 < nz and solid[i, j1 + 1] and not taken[i, j1 + 1]:
                j1 += 1
            i1 = i
            while i1 + 1 < nx and solid[i1 + 1, j:j1 + 1].all() and not taken[i1 + 1, j:j1 + 1].any():
                i1 += 1
            taken[i:i1 + 1, j:j1 + 1] = True
            x0, x1 = lo[0] + i * (hi[0] - lo[0]) / nx, lo[0] + (i1 + 1) * (hi[0] - lo[0]) / nx
            z0, z1 = lo[2] + j * (hi[2] - lo[2]) / nz, lo[2] + (j1 + 1) * (hi[2] - lo[2]) / nz
            out.append(((x0, lo[1], z0), (x1, hi[1], z1)))
    return out


def _lift_onto(lo, hi, surfaces):
    """A box raised so that it stands on the highest surface its footprint overlaps."""
    tops = [b[1][1] for b in surfaces if all(lo[i] < b[1][i] and b[0][i] < hi[i] for i in (0, 2))
            and b[1][1] > lo[1]]
    if not tops:
        return lo, hi
    dy = max(tops) - lo[1]
    return (lo[0], lo[1] + dy, lo[2]), (hi[0], hi[1] + dy, hi[2])


def _carve(lo, hi, blo, bhi) -> list[tuple[tuple, tuple]]:
    """A box with a basin's footprint removed: a slab above it gets a hole, a cabinet under it a lower top."""
    overlap_xz = all(lo[i] < bhi[i] and blo[i] < hi[i] for i in (0, 2))
    if not overlap_xz or hi[1] <= blo[1] + 1e-6 or lo[1] >= bhi[1] + SLAB:
        return [(lo, hi)]
    if hi[1] - lo[1] >= SLAB and lo[1] >= blo[1]:  # above the basin's floor: a tap, not a cabinet
        return [(lo, hi)]
    if hi[1] - lo[1] >= SLAB:  # a cabinet or drawer reaching into the basin: its top drops to the basin floor
        return [(lo, (hi[0], blo[1], hi[2]))] if blo[1] > lo[1] else []
    pieces = []
    x0, x1 = max(lo[0], blo[0]), min(hi[0], bhi[0])
    if lo[0] < x0:
        pieces.append((lo, (x0, hi[1], hi[2])))
    if x1 < hi[0]:
        pieces.append(((x1, lo[1], lo[2]), hi))
    if lo[2] < blo[2]:
        pieces.append(((x0, lo[1], lo[2]), (x1, hi[1], blo[2])))
    if bhi[2] < hi[2]:
        pieces.append(((x0, lo[1], bhi[2]), (x1, hi[1], hi[2])))
    return pieces


def _node(world: World, idx: int) -> Node | None:
    o = world.objects[idx]
    if o.cls in FRAMES:
        return None
    if o.pickupable:
        shape = _shape(o.cls, o.center, o.size, o.rotation, o.is_open, None)
    else:  # furniture never moves: its shape depends only on the floorplan and whether it is open
        shape = _furniture_shape(world.scene, o.id, o.is_open)
    if shape is None:
        return None
    lo, hi, open_face, shift, rest = shape
    node = Node(idx + 1, lo, hi, open_face=open_face, shift=shift)
    node.pieces = [Node(idx + 1, a, b) for a, b in rest]
    return node


@lru_cache(maxsize=None)
def _furniture_shape(scene: SceneSpec, object_id: str, is_open: bool):
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
    elif cls in OPEN_FRONT and is_open:
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
