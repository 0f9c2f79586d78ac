"""ALFRED's goal conditions per task type, checked on the world state.

``conditions_met`` returns ``(satisfied, total)`` with ALFRED's counts (``env/tasks.py``): simple 1,
pick-two 2, look-at 2, clean/heat/cool 3, movable receptacle 3, plus one for a sliced target (two for
pick-two). Classes match exactly (ALFRED's substring match would let a Potato count as a Pot).
"""

from __future__ import annotations

from envs.household.world import World
from envs.task import Task


def _instances(world: World, cls: str | None, instance_id: str | None = None) -> list[int]:
    if cls is None:
        return []
    idxs = world.by_class(cls)
    return [i for i in idxs if world.objects[i].id == instance_id] if instance_id else idxs


def _in(world: World, obj: int, parents: list[int]) -> bool:
    return world.objects[obj].parent in parents


def conditions_met(world: World, task: Task) -> tuple[int, int]:
    objs = _instances(world, task.target_class, task.object_instance)
    parents = _instances(world, task.parent_target, task.parent_instance)
    s, ts = 0, 0
    if task.object_sliced:
        need = 2 if task.type == "pick_two_obj_and_place" else 1
        ts += need
        s += min(len(world.by_class(task.target_class)), need)
    t = task.type
    if t == "pick_and_place_simple":
        ts += 1
        s += any(_in(world, o, parents) for o in objs)
    elif t == "pick_two_obj_and_place":
        ts += 2
        s += min(max((sum(world.objects[o].parent == p for o in objs) for p in parents), default=0), 2)
    elif t == "look_at_obj_in_light":
        ts += 2
        s += world.agent.held in objs
        s += any(world.objects[i].is_on and world.visible(i) for i in world.by_class(task.toggle_target))
    elif t in ("pick_clean_then_place_in_recep", "pick_heat_then_place_in_recep", "pick_cool_then_place_in_recep"):
        ts += 3
        flag = {"pick_clean_then_place_in_recep": "clean", "pick_heat_then_place_in_recep": "hot",
                "pick_cool_then_place_in_recep": "cold"}[t]
        placed = [o for o in objs if _in(world, o, parents)]
        treated = [o for o in objs if getattr(world.objects[o], flag)]
        s += bool(placed) + bool(treated) + any(o in treated for o in placed)
    elif t == "pick_and_place_with_movable_recep":
        ts += 3
        movables = _instances(world, task.mrecep_target)
        s += any(world.objects[o].parent in movables for o in objs)
        s += any(_in(world, m, parents) for m in movables)
        s += any(_in(world, m, parents) and any(world.objects[o].parent == m for o in objs) for m in movables)
    else:
        raise ValueError(f"unknown task type {t!r}")
    return int(s), ts


def progress(world: World, task: Task) -> float:
    s, ts = conditions_met(world, task)
    return s / ts


def satisfied(world: World, task: Task) -> bool:
    s, ts = conditions_met(world, task)
    return s == ts
