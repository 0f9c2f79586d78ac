"""Spatial references: phrases that single out one instance by where it is ("the mug on the desk",
"the cabinet closest to the fridge", "the drawer just left of the sink", "the highest shelf").

Each phrase comes with the instance it denotes; it is offered only when no other instance of the
class fits it, with margins so that a person reading it would agree.
"""

from __future__ import annotations

import math

import numpy as np

from envs.household.language import noun
from envs.household.tasks import TREATMENT
from envs.household.world import CAPACITY, FLOOR, INSIDE, Obj, World
from envs.task import Task


def prep(cls: str | None) -> str:
    return "in" if cls in INSIDE else "on"


def choose(rng: np.random.Generator, options) -> str:
    return options[int(rng.integers(len(options)))]


# Furniture that a person would point to; a landmark must be the only one of its class in the world.
LANDMARKS = ("Fridge", "Microwave", "SinkBasin", "CoffeeMachine", "Toaster", "Television", "Bed", "Sofa",
             "Toilet", "BathtubBasin", "Desk", "Dresser", "DiningTable", "CoffeeTable", "TVStand",
             "ArmChair", "Safe", "GarbageCan", "FloorLamp", "DeskLamp")
STACKED = ("Shelf", "Drawer", "Cabinet")  # classes whose instances sit at clearly different heights
MARGIN = 0.3  # metres: the referred instance must be this much nearer than the runner-up
SIDE_OFFSET = 0.2  # metres off the landmark's centre line before something is left or right of it
SIDE_REACH = 1.5  # metres: "just left of the sink" is no farther from the sink than this
HEIGHT_MARGIN = 0.15  # metres: the highest shelf is this much higher than the next one


def _landmarks(world: World, skip: str) -> list[Obj]:
    out = []
    for cls in LANDMARKS:
        idxs = world.by_class(cls)
        if cls != skip and len(idxs) == 1 and world.objects[idxs[0]].pose is not None:
            out.append(world.objects[idxs[0]])
    return out


def _frame(landmark: Obj, o: Obj) -> tuple[float, float]:
    """``(right, forward)`` offsets of ``o`` for an agent standing at the landmark's interaction
    pose and facing along its yaw (yaw 0 looks along +z, 90 along +x; +x is right of +z)."""
    x, z, yaw = landmark.pose[:3]
    dx, dz = o.center[0] - x, o.center[2] - z
    s, c = math.sin(math.radians(yaw)), math.cos(math.radians(yaw))
    return dx * c - dz * s, dx * s + dz * c


def _nearest(objs: list[Obj], landmark: Obj) -> Obj | None:
    """The instance nearest to the landmark, if it is clearly nearer than every other one."""
    ranked = sorted((math.dist(o.center, landmark.center), o.idx, o) for o in objs)
    if not ranked or (len(ranked) > 1 and ranked[1][0] - ranked[0][0] < MARGIN):
        return None
    return ranked[0][2]


def _beside(objs: list[Obj], landmark: Obj, side: int) -> Obj | None:
    """The instance just left (``side`` -1) or right (+1) of the landmark, in front of the agent."""
    own_right = _frame(landmark, landmark)[0]
    on_side = [o for o in objs if side * (_frame(landmark, o)[0] - own_right) >= SIDE_OFFSET
               and _frame(landmark, o)[1] > 0]
    o = _nearest(on_side, landmark)
    return o if o is not None and math.dist(o.center, landmark.center) <= SIDE_REACH else None


def _extreme(objs: list[Obj], highest: bool) -> Obj | None:
    ranked = sorted(objs, key=lambda o: (-o.center[1] if highest else o.center[1], o.idx))
    if len(ranked) < 2 or abs(ranked[0].center[1] - ranked[1].center[1]) < HEIGHT_MARGIN:
        return None
    return ranked[0]


def _holder(world: World, o: Obj) -> str | None:
    return "Floor" if o.parent == FLOOR else None if o.parent is None else world.objects[o.parent].cls


def object_refs(task: Task, world: World, rng: np.random.Generator) -> list[tuple[str, Obj]]:
    """Phrases that single out one instance of the task's object, with that instance."""
    cls = task.object_target
    objs = [world.objects[i] for i in world.by_class(cls)]
    if len(objs) < 2:
        return []
    # A place the sentence names anyway (goal receptacle, bowl, lamp, appliance) would blur where the
    # object is with where it goes: "put the apple in the bowl in a bowl".
    named = {task.parent_target, task.mrecep_target, task.toggle_target, TREATMENT.get(task.type, (None, None))[1]}
    refs, holders = [], [_holder(world, o) for o in objs]
    for o, h in zip(objs, holders):
        if h is not None and holders.count(h) == 1 and h not in named:
            where = choose(rng, ("from", f"that is {prep(h)}", f"sitting {prep(h)}"))
            refs.append((f"the {noun(cls)} {where} the {noun(h)}", o))
    for lm in _landmarks(world, cls):
        o = _nearest(objs, lm)
        if o is not None and lm.cls not in named:
            refs.append((f"the {noun(cls)} {choose(rng, ('closest to', 'nearest to'))} the {noun(lm.cls)}", o))
    return [(text, o) for text, o in refs if o.interactive and o.pickupable]


def parent_refs(task: Task, world: World, rng: np.random.Generator) -> list[tuple[str, Obj]]:
    """Phrases that single out one instance of the task's receptacle, with that instance."""
    cls = task.parent_target
    objs = [world.objects[i] for i in world.by_class(cls)]
    if len(objs) < 2:
        return []
    name, refs = noun(cls), []
    for lm in _landmarks(world, cls):
        o = _nearest(objs, lm)
        if o is not None:
            refs.append((f"the {name} {choose(rng, ('closest to', 'nearest to'))} the {noun(lm.cls)}", o))
        for side, word in ((-1, "left"), (1, "right")):
            o = _beside(objs, lm, side)
            if o is not None:
                refs.append((f"the {name} {choose(rng, ('just', 'directly to the'))} {word} of the {noun(lm.cls)}", o))
    if cls in STACKED:
        for highest, word in ((True, "highest"), (False, "lowest")):
            o = _extreme(objs, highest)
            if o is not None:
                refs.append((f"the {word} {name}", o))
    # Only a receptacle the agent can reach and put something in may become the goal.
    return [(text, o) for text, o in refs
            if o.interactive and o.pose is not None and len(world.children(o.idx)) < CAPACITY.get(cls, 99)]
