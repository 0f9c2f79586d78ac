"""Build an episode's world from a floorplan: seeded re-placement of small objects (ALFRED's
compatibility tables, up to three instances of a class) or AI2-THOR's default placement.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from envs.household import geometry, sightlines
from envs.household.catalog import ObjectSpec, Rules, SceneSpec
from envs.household.furniture import BOARD
from envs.household.vocab import base_of_alias, name_of_class
from envs.household.world import CAPACITY, FLOOR, INSIDE, Agent, Obj, World

MAX_INSTANCES = 3  # ALFRED's MAX_NUM_OF_OBJ_INSTANCES
SCENERY = frozenset({"Sink", "Bathtub"})  # the basin is what skills address; the rim is scenery
START_HORIZON = 30.0  # ALFRED episodes start looking slightly down


@dataclass
class Constraints:
    """What a task needs from the placement."""

    min_counts: dict[str, int] = field(default_factory=dict)  # class -> at least this many
    forbid: dict[str, frozenset[str]] = field(default_factory=dict)  # class -> receptacle classes to avoid


EYE_LEVEL = geometry.CAMERA_HEIGHT - 0.15  # a surface higher than this shows only its underside
OPENS = frozenset({"Cabinet", "Drawer", "Fridge", "Microwave", "Safe", "Box"})  # seen into once opened
OPEN_TOP = frozenset({"SinkBasin", "BathtubBasin", "GarbageCan", "LaundryHamper"})  # seen into from above


@lru_cache(maxsize=None)  # every reset asks again for each class of its floorplan
def hosts(scene: SceneSpec, rules: Rules, cls: str) -> tuple[ObjectSpec, ...]:
    """Static receptacles of the scene that may hold ``cls``, that the agent can reach, and whose
    contents it can see (not the top of a wardrobe above eye level)."""
    return tuple(o for o in scene.statics if o.interactive and o.receptacle and o.reachable
            and o.type not in SCENERY and rules.can_hold(o.type, cls)
            and ((o.type in INSIDE and o.type != "Shelf") or _floor_of(o.type, o.center, o.size) <= EYE_LEVEL))


def _floor_of(cls: str, center, size) -> float:
    """The height things put on or in a receptacle rest at: the top of a surface, the bottom of a
    container, the top of a shelf's board (drawn as the bottom of AI2-THOR's compartment box)."""
    bottom = center[1] - size[1] / 2
    if cls == "Shelf":
        return bottom + min(size[1], BOARD)
    return bottom + 0.01 if cls in INSIDE else bottom + size[1]


def _standing_on(world: World, recep: int) -> list[Obj]:
    """Furniture standing on a surface (a coffee machine on the counter) or set into it (a sink):
    no room for objects there. Kept per world and surface: furniture never moves, and a reset asks
    about the same few surfaces some sixteen times."""
    r = world.objects[recep]
    memo = _STANDING.setdefault(world, {})
    key = (recep, r.center)  # a plate is a surface that moves
    if key not in memo:
        memo[key] = _furniture_on(world, r)
    return memo[key]


_STANDING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # world -> (surface, where) -> furniture


def _furniture_on(world: World, r: Obj) -> list[Obj]:
    top = r.center[1] + r.size[1] / 2
    out = []
    for o in world.objects:
        if o.pickupable or o.idx == r.idx or not o.alive:
            continue
        bottom = o.center[1] - o.size[1] / 2
        if (top - 0.1 <= bottom <= top + 0.3 or o.cls in ("SinkBasin", "BathtubBasin")) and abs(o.center[0] - r.center[0]) * 2 < o.size[0] + r.size[0] \
                and abs(o.center[2] - r.center[2]) * 2 < o.size[2] + r.size[2]:
            out.append(o)
    return out


def spot(world: World, recep: int, size, rng: np.random.Generator | None = None,
         strict: bool = False, free_only: bool = False,
         contents: list[Obj] | None = None) -> tuple[float, float, float] | None:
    """A free position for an object of ``size`` inside or on top of ``recep``. With ``strict`` (the
    first placement of an episode) it must also be one someone in the room can see, or ``None``;
    otherwise (the agent putting something down) any reachable position, overlapping if need be
    (with ``free_only``, ``None`` rather than overlapping). ``contents``: what ``recep`` holds, when
    the caller keeps track (a reset asks some forty times; scanning the world each time was a third
    of it)."""
    r = world.objects[recep]
    cx, cy, cz = r.center
    sx, sy, sz = r.size
    y = _floor_of(r.cls, r.center, r.size) + size[1] / 2
    if r.cls == "Fridge" and rng is not None:
        y += rng.uniform(0, 0.6 * max(sy - size[1] - 0.02, 0.0))
    half_x, half_z = max((sx - size[0]) / 2, 0.0), max((sz - size[2]) / 2, 0.0)
    taken = contents if contents is not None else [world.objects[k] for k in world.children(recep)]
    if r.cls not in INSIDE:
        taken = taken + _standing_on(world, recep)
    # (centre x, centre z, the two widths summed along x and z) of each thing already there
    boxes = [(t.center[0], t.center[2], size[0] + t.size[0], size[2] + t.size[2]) for t in taken]

    def free(x: float, z: float) -> bool:
        for tx, tz, wx, wz in boxes:
            if abs(x - tx) * 2 < wx and abs(z - tz) * 2 < wz:
                return False
        return True

    if (strict or free_only) and r.cls == "Shelf" and size[1] > sy - BOARD:
        return None  # taller than the compartment: it would swallow the board above and what is on it
    if strict:
        cells = sightlines.good_cells(world.scene, r.id, r.cls not in OPENS, r.cls in OPEN_TOP)
        if len(cells) == 0:
            return None
        pick = rng.permutation(len(cells))[:24].tolist() if rng is not None else range(min(24, len(cells)))
        for i in pick:
            x, cell_x = _clamp(cells[i][0], cx - half_x, cx + half_x)
            z, cell_z = _clamp(cells[i][1], cz - half_z, cz + half_z)
            if free(x, z):
                return (_round4(x, cell_x), round(y, 4), _round4(z, cell_z))
        return None
    candidates = [(cx + fx * half_x, cz + fz * half_z) for fx in (0.0, -0.6, 0.6) for fz in (0.0, -0.6, 0.6)]
    # Only where the agent standing at the furniture can reach (long counters and shelves).
    reachable = [(x, z) for x, z in candidates
                 if r.pose is None or geometry.in_view(r.pose[0], r.pose[1], r.pose[2], (x, 0, z), size)]
    for x, z in reachable:
        if free(x, z):
            return (round(x, 4), round(y, 4), round(z, 4))
    if free_only:
        return None
    x, z = reachable[0] if reachable else _toward_pose(r, half_x, half_z) if r.pose is not None else candidates[0]
    return (round(x, 4), round(y, 4), round(z, 4))


def _clamp(c: float, lo: float, hi: float) -> tuple[float, bool]:
    """``min(max(c, lo), hi)``, and whether that is ``c`` itself rather than a bound."""
    if hi < (lo if lo > c else c):
        return hi, False
    return (lo, False) if lo > c else (c, True)


def _round4(v: float, cell: bool) -> float:
    """A coordinate to four decimals as it always was: a cell's as numpy rounds (half to even after
    scaling; the cells were numpy scalars once), a bound's as Python does (exact decimal rounding).
    Cell centres often end in a 5 at the fifth decimal, where the two differ, so one rule for both
    would move things in most seeds."""
    return round(v * 10000.0) / 10000.0 if cell else round(v, 4)


def _toward_pose(r: Obj, half_x: float, half_z: float) -> tuple[float, float]:
    """The point of the furniture's top, pulled toward its pose until it is within reach."""
    cx, _, cz = r.center
    px, pz = r.pose[:2]
    reach = geometry.VISIBILITY_DISTANCE * 0.8
    d = max(math.hypot(cx - px, cz - pz), 1e-6)
    t = max(0.0, 1.0 - reach / d)
    return (min(max(cx + (px - cx) * t, cx - half_x), cx + half_x),
            min(max(cz + (pz - cz) * t, cz - half_z), cz + half_z))


def floor_spot(world: World, size) -> tuple[float, float, float]:
    """Where a dropped object lands: on the floor just ahead of the agent."""
    a = world.agent
    rad = math.radians(a.yaw)
    return (round(a.x + 0.4 * math.sin(rad), 4), round(size[1] / 2, 4), round(a.z + 0.4 * math.cos(rad), 4))


def _static(spec: ObjectSpec, idx: int) -> Obj:
    return Obj(idx=idx, id=spec.id, cls=spec.type, name=spec.type, center=spec.center, size=spec.size,
               pickupable=False, receptacle=spec.receptacle, openable=spec.openable,
               toggleable=spec.toggleable, sliceable=False,
               interactive=spec.interactive and spec.type not in SCENERY,
               parent=FLOOR, is_open=False, is_on=False, hot=False, cold=False, clean=False, alive=True,
               slice_of=None, pose=spec.pose if spec.reachable else None, materials=spec.materials,
               rotation=spec.rotation)


def _small(spec: ObjectSpec, idx: int, number: int) -> Obj:
    return Obj(idx=idx, id=f"{spec.type}|{number}", cls=spec.type, name=spec.type, center=spec.center,
               size=spec.size, pickupable=True, receptacle=spec.receptacle, openable=spec.openable,
               toggleable=spec.toggleable, sliceable=spec.sliceable, interactive=spec.interactive,
               parent=FLOOR, is_open=False, is_on=False, hot=False, cold=False, clean=False, alive=True,
               slice_of=None, pose=None, materials=spec.materials, rotation=spec.rotation)


@lru_cache(maxsize=None)  # one per floorplan; a reset starts from copies of its furniture
def _layout(scene: SceneSpec) -> tuple[tuple[Obj, ...], dict[str, int], tuple[tuple[str, tuple[ObjectSpec, ...]], ...]]:
    """The floorplan's furniture as objects, their indices by id, and its small objects' specs by
    class, classes in sorted order (read only: worlds get copies)."""
    by_class: dict[str, list[ObjectSpec]] = {}
    for s in scene.pickables:
        by_class.setdefault(s.type, []).append(s)
    return (tuple(_static(s, i) for i, s in enumerate(scene.statics)), {s.id: i for i, s in enumerate(scene.statics)},
            tuple((cls, tuple(by_class[cls])) for cls in sorted(by_class)))


@lru_cache(maxsize=None)
def _host_slots(scene: SceneSpec, rules: Rules, cls: str) -> tuple[tuple[int, int, str], ...]:
    """``hosts`` as (furniture index in the world, how many objects it takes, its class)."""
    index_of = _layout(scene)[1]
    return tuple((index_of[h.id], CAPACITY.get(h.type, 99), h.type) for h in hosts(scene, rules, cls))


def build_world(scene: SceneSpec, rules: Rules, seed: int, randomize: bool = True,
                constraints: Constraints | None = None) -> World:
    """The initial world of an episode; the same arguments give the same world."""
    rng = np.random.default_rng(seed)
    cons = constraints or Constraints()
    furniture, index_of, by_class = _layout(scene)
    objects = [o.copy() for o in furniture]
    nav = scene.navigable
    start = nav[rng.integers(len(nav))]
    world = World(scene, rules, objects, Agent(float(start[0]), float(start[1]), float(rng.integers(4) * 90),
                                               START_HORIZON))
    placed: dict[int, int] = {}  # objects placed per host so far
    contents: dict[int, list[Obj]] = {}  # host -> what is on or in it so far (furniture starts empty)
    for cls, specs in by_class:
        if not randomize or not specs[0].interactive:
            for s in specs:
                _add_default(world, s, index_of, contents)
            continue
        forbid = cons.forbid.get(cls, ())
        candidates = [(i, cap) for i, cap, kind in _host_slots(scene, rules, cls) if kind not in forbid]
        count = max(int(rng.integers(1, MAX_INSTANCES + 1)), cons.min_counts.get(cls, 0))
        for k in range(count):
            free = [c for c, cap in candidates if placed.get(c, 0) < cap]
            if not free:
                if k == 0:
                    _add_default(world, specs[0], index_of, contents)
                break
            o = _small(specs[k % len(specs)], len(world.objects), k + 1)
            # Hosts in a seeded order; the first with room, so objects do not pile into each other.
            order = [free[i] for i in rng.permutation(len(free))]
            host, where = order[0], None
            # A seen spot if any host has one, else a free one: an object put over another (a bat
            # lying across a desk lamp) would hide it from every standing point.
            for strict in (True, False):
                for h in order:
                    where = spot(world, h, o.size, rng, strict=strict, free_only=True, contents=contents.get(h, []))
                    if where is not None:
                        host = h
                        break
                if where is not None:
                    break
            if where is None and k >= cons.min_counts.get(cls, 0):  # only a task's own objects may overlap
                if k == 0:
                    _add_default(world, specs[0], index_of, contents)
                break
            world.objects.append(o)
            world.invalidate()
            o.parent = host
            o.center = where if where is not None else spot(world, host, o.size, rng, contents=contents.get(host, []))
            contents.setdefault(host, []).append(o)
            placed[host] = placed.get(host, 0) + 1
    name_instances(world)
    return world


def _add_default(world: World, spec: ObjectSpec, index_of: dict[str, int], contents: dict[int, list[Obj]]) -> None:
    number = sum(1 for o in world.objects if o.cls == spec.type) + 1
    o = _small(spec, len(world.objects), number)
    o.parent = index_of.get(spec.parent, FLOOR) if spec.parent else FLOOR
    if o.parent != FLOOR:
        # AI2-THOR's meshes are not boxes: a pillow lies sunk into the bed's box, where the box
        # would hide it from everywhere. On a surface one can see, it rests on the box's top.
        r = world.objects[o.parent]
        top = _floor_of(r.cls, r.center, r.size)
        if r.cls not in INSIDE and top <= EYE_LEVEL and o.center[1] - o.size[1] / 2 < top:
            o.center = (o.center[0], round(top + o.size[1] / 2, 4), o.center[2])
        contents.setdefault(o.parent, []).append(o)
    world.objects.append(o)
    world.invalidate()


def name_instances(world: World) -> None:
    """EB-ALFRED's names: ``Cabinet`` for the first of several, ``Cabinet_2``... for the rest;
    a single instance keeps its class name (a basin is called by its sink)."""
    groups: dict[str, list[Obj]] = {}
    for o in world.objects:
        if o.interactive and o.alive:
            groups.setdefault(o.cls, []).append(o)
    alias = {}
    for cls, objs in groups.items():
        # EB-ALFRED numbers only receptacles and pickable objects; a stove knob stays "StoveKnob".
        if len(objs) == 1 or not (objs[0].receptacle or objs[0].pickupable):
            for o in objs:
                o.name = name_of_class(cls)
            continue
        for k, o in enumerate(objs):
            o.name = cls if k == 0 else f"{cls}_{k + 1}"
            alias[o.name] = o.idx
    world.alias = alias


def alias_names(world: World) -> tuple[list[str], list[str]]:
    """The ``Type_k`` names (k >= 2) of multi-instance receptacles and of other pickables."""
    recs, picks = [], []
    for name, idx in world.alias.items():
        if base_of_alias(name) == name:
            continue
        (recs if world.objects[idx].receptacle else picks).append(name)
    return recs, picks
