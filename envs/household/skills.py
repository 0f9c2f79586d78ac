"""EB-ALFRED's high-level skills over the household world, with EB-ALFRED's feedback text.

Each skill returns an error message, empty on success; ``execute`` turns it into the feedback line.
Instance choice follows EB-ALFRED's ``ThorConnector``: an alias (``Cabinet_2``, or the bare name of a
multi-instance class) names one instance; otherwise the nearest instance wins, with objects that are
out of view or shut inside something ranked last. Heat, cool and clean are implicit, as in ALFRED:
turning a closed microwave on heats what is inside, closing the fridge cools it, turning a faucet on
cleans what lies in the nearest sink basin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from envs.household import geometry, sightlines
from envs.household.placement import floor_spot, spot
from envs.household.scenegraph import drawer_slide, drawn_center, furniture_shape, mouth
from envs.household.vocab import KNIVES, class_of_name
from envs.household.world import CAPACITY, FLOOR, World

SUCCESS = "Last action executed successfully."
INVALID = "Last action is invalid. "
SMALL_REACH = 2.0  # metres: small objects farther than this from a find target are not checked as occluders
SLICES_PER_OBJECT = 3  # AI2-THOR cuts 7-10 pieces; three keep the state small and two-slice tasks possible


@dataclass(frozen=True)
class Outcome:
    success: bool
    feedback: str
    target: int | None = None  # the object the skill acted on (or tried to), for its interaction region


def execute(world: World, action: str) -> Outcome:
    """Run one skill given as EB-ALFRED action text."""
    a = world.agent
    if not (action.startswith("put down ") or action.startswith("open ")):
        a.cur_receptacle, a.cur_name = None, None
    world.target = None
    msg = _dispatch(world, action)
    return Outcome(not msg, INVALID + msg if msg else SUCCESS, world.target)


def _dispatch(world: World, action: str) -> str:
    if action.startswith("find "):
        return find(world, action.removeprefix("find a ").removeprefix("find an "))
    if action.startswith("pick up "):
        return pick(world, action.removeprefix("pick up the "))
    if action.startswith("put down "):
        return put(world) if world.agent.cur_receptacle is not None else drop(world)
    if action.startswith("open "):
        return open_(world, action.removeprefix("open the "))
    if action.startswith("close "):
        return close(world, action.removeprefix("close the "))
    if action.startswith("turn on "):
        return toggle(world, action.removeprefix("turn on the "), on=True)
    if action.startswith("turn off "):
        return toggle(world, action.removeprefix("turn off the "), on=False)
    if action.startswith("slice "):
        msg = slice_(world, action.removeprefix("slice the "))
        world.agent.sliced_flag = True  # EB-ALFRED sets it whatever the outcome
        return msg
    if action.startswith("drop"):
        return drop(world)
    return "instruction not supported"


# ---- instance choice ---------------------------------------------------------------------------
def candidates(world: World, name: str) -> list[int]:
    """Interactive living instances an action naming ``name`` may address."""
    return [i for i in world.by_base(class_of_name(name)) if world.objects[i].interactive]


def best(world: World, idxs, prefer_visible: bool, prefer_slices: bool, prefer_focus: bool = False) -> int | None:
    """EB-ALFRED's ranking: distance, plus penalties for being shut in, out of view, not a slice.

    With ``prefer_focus``, what the agent last walked up to (or what lies in it) comes first among
    equals: "find a Egg_2, pick up the Egg" takes Egg_2 even if another egg is a little nearer.
    EB-ALFRED ranks by distance alone.
    """
    focus = world.agent.focus

    def score(i):
        s = world.distance(i)
        if world.enclosed(i):
            s += 100000
        if prefer_visible and not world.visible(i):
            s += 1000
        if prefer_slices and world.objects[i].slice_of is not None:
            s -= 100
        if prefer_focus and focus is not None and (i == focus or focus in world.ancestors(i)
                                                   or world.objects[i].slice_of == focus):
            s -= 10
        return (s, i)
    idxs = list(idxs)
    return min(idxs, key=score) if idxs else None


def resolve(world: World, name: str, prefer_visible: bool = False, prefer_slices: bool = False) -> int | None:
    """The instance ``find``/``open``/``close`` act on: an alias names one, else the best candidate."""
    if name in world.alias:
        idx = world.alias[name]
        o = world.objects[idx]
        if not o.alive:  # cut into slices: EB-ALFRED goes to one of them
            slices = [i for i in world.by_class(o.cls + "Sliced") if world.objects[i].slice_of == idx]
            return slices[0] if slices else None
        return idx
    return best(world, candidates(world, name), prefer_visible, prefer_slices)


# ---- navigation --------------------------------------------------------------------------------
def pose_for(world: World, idx: int):
    """Where ``find`` takes the agent, facing the object. Furniture has its interaction pose; a small
    object is approached as EB-ALFRED does, from the navigable point nearest to it. When furniture
    would block the view from there, the next nearest points are tried (``sightlines``)."""
    o = world.objects[idx]
    a = world.agent
    if world.is_held(idx):
        return (a.x, a.z, a.yaw, a.horizon)
    anchor = world.static_anchor(idx)
    preferred = (tuple(o.pose[:2]),) if o.pose is not None else ()
    fallback = (tuple(world.objects[anchor].pose[:2]),) if anchor is not None and world.objects[anchor].pose else ()
    around = world.ancestors(idx)
    ignore = frozenset([o.id] + [world.objects[c].id for c in around])
    center, size = drawn_center(world, idx), tuple(o.size)
    if not o.pickupable:  # furniture as drawn: a shelf is its board, a desk over drawers its top
        shape = furniture_shape(world.scene, o.id, bool(o.is_open))
        if shape is not None:  # the box around its pieces (a counter cut around a sink is still one)
            lo = np.min([shape[0]] + [a for a, _ in shape[4]], axis=0)
            hi = np.max([shape[1]] + [b for _, b in shape[4]], axis=0)
            center, size = tuple(((lo + hi) / 2).tolist()), tuple((hi - lo).tolist())
    mouths = tuple(m for m in (mouth(world, c) for c in around) if m is not None)
    # Small objects hide things too: a bat leaning on a side table hides its drawers.
    extra = _small_boxes_near(world, idx, center)
    x, z = sightlines.stand(world.scene, center, size, preferred, fallback, ignore, extra, mouths)
    if o.pose is not None and (x, z) == tuple(o.pose[:2]):
        return o.pose
    return (x, z, geometry.yaw_to(x, z, center[0], center[2]), geometry.horizon_to(x, z, center))


def _small_boxes_near(world: World, idx: int, center) -> tuple:
    """The boxes of small objects within reach of ``center`` that could hide it (not it, not what it
    is in or holds), rounded so that the sight-line cache can key on them. Every ``find`` asks (the
    planner's look-ahead too), so it walks up from each object once: that gives what holds the
    target, what is shut away and where an open drawer draws it, without numpy."""
    objects, shut = world.objects, world.rules.openable
    around = {idx, *world.ancestors(idx)}
    out = []
    for o in objects:
        c = o.center
        if not (o.pickupable and o.alive) or o.parent is None or o.idx in around \
                or abs(c[0] - center[0]) > SMALL_REACH or abs(c[2] - center[2]) > SMALL_REACH:
            continue
        x, y, z = float(c[0]), float(c[1]), float(c[2])  # as drawn_center gives it
        hidden, p = False, o.parent
        while p is not None and p != FLOOR:
            q = objects[p]
            if p == idx or (q.openable and not q.is_open and q.cls in shut):
                hidden = True  # in the target, or shut away
                break
            if q.cls == "Drawer" and q.is_open:
                x, y, z = (np.array((x, y, z)) + drawer_slide(q)).tolist()
            p = q.parent
        if hidden:
            continue
        h = (o.size[0] / 2, o.size[1] / 2, o.size[2] / 2)
        out.append(((round(x - h[0], 3), round(y - h[1], 3), round(z - h[2], 3)),
                    (round(x + h[0], 3), round(y + h[1], 3), round(z + h[2], 3))))
    return tuple(out)


def find(world: World, name: str) -> str:
    a = world.agent
    idx = resolve(world, name, prefer_visible=True, prefer_slices=a.sliced_flag)
    if idx is None:
        return f"Cannot find {name}. This object may not exist in this scene. Try to explore other instances instead."
    o = world.objects[idx]
    world.target = idx
    if not o.pickupable and o.pose is None:
        return f"Cannot move to {name}"
    a.x, a.z, a.yaw, a.horizon = pose_for(world, idx)
    a.cur_receptacle, a.cur_name, a.focus = idx, name, idx
    return ""


# ---- hands -------------------------------------------------------------------------------------
def hand_spot(world: World) -> tuple[float, float, float]:
    """Where a held object is, for the record: in front of the agent at hand height."""
    a = world.agent
    rad = math.radians(a.yaw)
    return (a.x + 0.35 * math.sin(rad), 1.0, a.z + 0.35 * math.cos(rad))


def pick(world: World, name: str) -> str:
    a = world.agent
    idxs = [i for i in candidates(world, name) if world.objects[i].pickupable and not world.is_held(i)]
    idx = best(world, idxs, prefer_visible=True, prefer_slices=a.sliced_flag, prefer_focus=True)
    if idx is None:
        return f"Cannot find {name} to pick up. Find the object before picking up it"
    world.target = idx
    if not world.visible(idx):
        return f"{name} is not visible because it is in {world.parent_name(idx)}. Go there to pick the object instead."
    if a.held is not None:
        return f"Robot is currently holding {world.objects[a.held].cls}"
    o = world.objects[idx]
    source = o.parent
    world.move_to(idx, FLOOR, hand_spot(world))
    o.parent = None
    a.held = idx
    world.emit("picked", idx, source if source != FLOOR else None)
    return ""


def put(world: World) -> str:
    a = world.agent
    if a.held is None:
        return "Robot is not holding any object"
    a.put_counts[a.cur_name] = a.put_counts.get(a.cur_name, 0) + 1
    r, held = a.cur_receptacle, a.held
    world.target = r
    if can_put(world, held, r):
        world.move_to(held, r, spot(world, r, world.objects[held].size))
        a.held = None
        world.emit("put", held, r)
        return ""
    msg = (f"Putting the object on {world.type_name(r)} failed. First check the receptacle is open or not. "
           "Also try other instances of the receptacle")
    if a.put_counts[a.cur_name] >= 3:
        drop(world)
        msg += ". The robot dropped the object instead."
    return msg


def can_put(world: World, held: int, r: int) -> bool:
    ro = world.objects[r]
    if not ro.alive or not ro.receptacle or r == held or world.is_held(r):
        return False
    if ro.openable and not ro.is_open and ro.cls in world.rules.openable:
        return False
    if not world.rules.can_hold(ro.cls, world.objects[held].cls) or not world.visible(r):
        return False
    return len(world.children(r)) < CAPACITY.get(ro.cls, 99)


def drop(world: World) -> str:
    a = world.agent
    if a.held is None:
        return "Robot is not holding any object"
    held = a.held
    world.target = held
    world.move_to(held, FLOOR, floor_spot(world, world.objects[held].size))
    a.held = None
    world.emit("dropped", held)
    return ""


# ---- articulation and appliances ---------------------------------------------------------------
def _openable(world: World, idx: int) -> bool:
    o = world.objects[idx]
    return o.openable and o.cls in world.rules.openable | {"Laptop"}


def open_(world: World, name: str) -> str:
    idx = resolve(world, name)
    if idx is None:
        return f"Cannot find {name} to open. Find the object before opening it"
    world.target = idx
    o, label = world.objects[idx], world.type_name(idx)
    if _openable(world, idx) and o.is_open:
        return f"Open action failed. The {label} is already open"
    if not _openable(world, idx) or not world.visible(idx) or world.is_held(idx):
        return "Open action failed."
    o.is_open = True
    world.emit("opened", idx)
    return ""


def close(world: World, name: str) -> str:
    idx = resolve(world, name)
    if idx is None:
        return f"Cannot find {name} to close"
    world.target = idx
    o, label = world.objects[idx], world.type_name(idx)
    if _openable(world, idx) and not o.is_open:
        return f"Close action failed. The {label} is already closed"
    if not _openable(world, idx) or not world.visible(idx) or world.is_held(idx):
        return "Close action failed"
    o.is_open = False
    world.emit("closed", idx)
    if o.cls == "Fridge":
        for d in world.descendants(idx):
            _set_temperature(world, d, hot=False, by=idx)
    return ""


def toggle(world: World, name: str, on: bool) -> str:
    verb = "turn on" if on else "turn off"
    idxs = [i for i in candidates(world, name) if world.objects[i].toggleable]
    # EB-ALFRED takes the nearest one even when it is out of view (and THOR then fails); we rank
    # the ones in view first, so the faucet over the sink wins over the bathtub's behind the agent.
    idx = best(world, idxs, prefer_visible=True, prefer_slices=False)
    if idx is None:
        return f"Cannot find {name} to {verb}"
    world.target = idx
    o = world.objects[idx]
    blocked = on and o.cls == "Microwave" and o.is_open  # a microwave runs with its door shut
    if o.is_on == on or blocked or not world.visible(idx):
        return f"Turn {'on' if on else 'off'} action failed"
    o.is_on = on
    world.emit("toggled_on" if on else "toggled_off", idx)
    if on and o.cls == "Microwave":
        for d in world.descendants(idx):
            _set_temperature(world, d, hot=True, by=idx)
    if on and o.cls == "Faucet":
        basins = world.by_class("SinkBasin")
        if basins:
            basin = min(basins, key=lambda b: (math.dist(world.objects[b].center, o.center), b))
            for d in world.descendants(basin):
                if not world.objects[d].clean:
                    world.objects[d].clean = True
                    world.emit("cleaned", d, basin)
    return ""


def _set_temperature(world: World, idx: int, hot: bool, by: int) -> None:
    o = world.objects[idx]
    if hot and not o.hot:
        o.hot, o.cold = True, False
        world.emit("heated", idx, by)
    elif not hot and not o.cold:
        o.cold, o.hot = True, False
        world.emit("cooled", idx, by)


def slice_(world: World, name: str) -> str:
    idx = best(world, candidates(world, name), prefer_visible=False, prefer_slices=False, prefer_focus=True)
    if idx is None:
        return f"Cannot find {name} to slice"
    world.target = idx
    o, a = world.objects[idx], world.agent
    holds_knife = a.held is not None and world.objects[a.held].cls in KNIVES
    if not o.sliceable or o.slice_of is not None or world.is_held(idx) or not holds_knife or not world.visible(idx):
        return "Slice action failed"
    o.alive = False
    world.invalidate()
    for k in range(SLICES_PER_OBJECT):
        piece = o.copy()
        piece.idx, piece.id = len(world.objects), f"{o.id}|{o.cls}Sliced_{k + 1}"
        piece.cls, piece.name, piece.alive, piece.slice_of, piece.sliceable = (
            o.cls + "Sliced", o.cls + "Sliced", True, idx, False)
        piece.size = (o.size[0], o.size[1], o.size[2] / SLICES_PER_OBJECT)
        piece.center = (o.center[0], o.center[1], o.center[2] + (k - 1) * piece.size[2])
        world.objects.append(piece)
    world.invalidate()
    world.emit("sliced", idx, a.held)
    for piece in world.by_class(o.cls + "Sliced"):
        if world.objects[piece].slice_of == idx:
            world.emit("created", piece, idx)
    return ""

