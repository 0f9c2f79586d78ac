"""Seeded generation of ALFRED tasks over the catalog's floorplans.

``task_options`` lists every (object, parent, toggle, movable receptacle, sliced) combination a
floorplan can host for a task type, using ALFRED's tables and room-type validity; ``generate`` picks
one, builds the initial world so that the goal is not already met, and asks the subset's
instruction writer for the text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from envs.household import geometry, goals
from envs.household.catalog import Catalog, SceneSpec, load
from envs.household.placement import MAX_INSTANCES, SCENERY, Constraints, build_world, hosts
from envs.household.vocab import FIND_OBJECTS, KNIVES, PICK_OBJECTS, SLICE_OBJECTS, name_of_class
from envs.household.world import CAPACITY, World
from envs.task import SUBSETS, TASK_TYPES, Task

LAMPS = ("DeskLamp", "FloorLamp")
TREATMENT = {  # task type -> (ALFRED action-object table, appliance that does it)
    "pick_clean_then_place_in_recep": ("Cleanable", "SinkBasin"),
    "pick_heat_then_place_in_recep": ("Heatable", "Microwave"),
    "pick_cool_then_place_in_recep": ("Coolable", "Fridge"),
}
SLICED_SHARE = {"long_horizon": 0.5}  # other subsets: DEFAULT_SLICED_SHARE
DEFAULT_SLICED_SHARE = 0.15
# Task-type weights per subset, shaped after EB-ALFRED's subsets (long_horizon is mostly heat and cool).
SUBSET_TYPES = {
    "long_horizon": {"pick_heat_then_place_in_recep": 4, "pick_cool_then_place_in_recep": 3,
                     "pick_clean_then_place_in_recep": 2, "pick_two_obj_and_place": 2,
                     "pick_and_place_with_movable_recep": 2},
    "visual_appearance": {"pick_and_place_simple": 2, "pick_two_obj_and_place": 2,
                          "pick_and_place_with_movable_recep": 2, "look_at_obj_in_light": 2,
                          "pick_clean_then_place_in_recep": 1},
}
MAX_TRIES = 200


@dataclass(frozen=True)
class Option:
    object_target: str
    parent_target: str | None = None
    toggle_target: str | None = None
    mrecep_target: str | None = None
    object_sliced: bool = False


def _static_classes(scene: SceneSpec) -> set[str]:
    """Furniture classes the agent can walk up to by name (EB-ALFRED has no "find a Toaster")."""
    return {o.type for o in scene.statics if o.interactive and o.reachable and o.type not in SCENERY
            and name_of_class(o.type) in FIND_OBJECTS}


def _placeable(scene: SceneSpec, catalog: Catalog) -> set[str]:
    """Small-object classes present in the floorplan that EB-ALFRED can pick up and that some
    reachable furniture can hold."""
    return {o.type for o in scene.pickables if o.interactive and o.type in PICK_OBJECTS
            and hosts(scene, catalog.rules, o.type)}


def _clean_ok(scene: SceneSpec) -> bool:
    """A sink basin from whose pose "turn on the Faucet" (the nearest faucet in view) reaches a
    faucet that runs into that basin (the basin nearest to it, as ALFRED decides)."""
    basins = [o for o in scene.statics if o.type == "SinkBasin"]
    faucets = [o for o in scene.statics if o.type == "Faucet"]
    for b in basins:
        if not b.reachable or not faucets:
            continue
        x, z, yaw, _ = b.pose
        seen = [o for o in faucets if geometry.in_view(x, z, yaw, o.center, o.size)]
        if not seen:
            continue
        f = min(seen, key=lambda o: math.hypot(o.center[0] - x, o.center[2] - z))
        if min(basins, key=lambda o: math.dist(o.center, f.center)) is b:
            return True
    return False


@lru_cache(maxsize=None)
def task_options(floorplan: int, task_type: str) -> tuple[Option, ...]:
    catalog = load()
    scene, rules = catalog.scenes[floorplan], catalog.rules
    if scene.room_type not in rules.goals_valid[task_type]:
        return ()
    statics, smalls = _static_classes(scene), _placeable(scene, catalog)
    parents = sorted(c for c in statics if c in rules.receptacle_objects)
    knife = any(k in smalls for k in KNIVES)
    out = []
    for obj in sorted(smalls):
        for sliced in (False, True):
            if sliced and not (obj in SLICE_OBJECTS and knife):
                continue
            target = obj + "Sliced" if sliced else obj
            if task_type == "look_at_obj_in_light":
                out += [Option(obj, toggle_target=lamp, object_sliced=sliced) for lamp in LAMPS if lamp in statics]
                continue
            if task_type == "pick_and_place_with_movable_recep":
                for m in sorted(rules.movable_receptacles & smalls):
                    if m != obj and rules.can_hold(m, target):
                        out += [Option(obj, p, mrecep_target=m, object_sliced=sliced)
                                for p in parents if rules.can_hold(p, m)]
                continue
            appliance = None
            if task_type in TREATMENT:
                table, appliance = TREATMENT[task_type]
                if target not in rules.action_objects[table] or appliance not in statics:
                    continue
                if not rules.can_hold(appliance, target) or (appliance == "SinkBasin" and not _clean_ok(scene)):
                    continue
            for p in parents:
                if p == appliance or not rules.can_hold(p, target):
                    continue
                if task_type == "pick_two_obj_and_place" and CAPACITY.get(p, 99) < 2:
                    continue
                out.append(Option(obj, p, object_sliced=sliced))
    return tuple(out)


def constraints_for(option: Option, task_type: str) -> Constraints:
    """Placement that leaves the goal unmet and every needed object present."""
    need = {option.object_target: 2 if task_type == "pick_two_obj_and_place" and not option.object_sliced else 1}
    forbid = {}
    if option.parent_target:
        forbid[option.object_target] = frozenset({option.parent_target})
    if option.mrecep_target:
        need[option.mrecep_target] = 1
        forbid[option.mrecep_target] = frozenset({option.parent_target})
    if task_type in TREATMENT:
        appliance = TREATMENT[task_type][1]
        forbid[option.object_target] = forbid.get(option.object_target, frozenset()) | {appliance}
    return Constraints(min_counts={k: min(v, MAX_INSTANCES) for k, v in need.items()}, forbid=forbid)


def world_for(task: Task) -> World:
    """The initial world of a task (deterministic in the task's floorplan and seed)."""
    catalog = load()
    option = Option(task.object_target, task.parent_target, task.toggle_target, task.mrecep_target,
                    task.object_sliced)
    return build_world(catalog.scenes[task.floorplan], catalog.rules, task.seed, task.randomize,
                       constraints_for(option, task.type))


def _has_knife(world: World) -> bool:
    return any(world.by_class(k) for k in KNIVES)


def feasible(world: World, task: Task) -> bool:
    """Everything the goal needs exists in this world and the goal is not met yet."""
    if not world.by_class(task.object_target):
        return False
    if task.type == "pick_two_obj_and_place" and not task.object_sliced and len(world.by_class(task.object_target)) < 2:
        return False
    if task.mrecep_target and not world.by_class(task.mrecep_target):
        return False
    if task.object_sliced and not _has_knife(world):
        return False
    return goals.conditions_met(world, task)[0] == 0


@lru_cache(maxsize=None)
def _split(scene_split: str) -> tuple[int, ...]:
    return tuple(load().floorplans(scene_split))


@lru_cache(maxsize=256)  # the same few pools every reset: a scan of 120 floorplans cost a reset 5%
def _floorplans_for(pool: tuple[int, ...], task_type: str) -> tuple[int, ...]:
    """The floorplans of ``pool`` with a room where ``task_type`` is valid and an option for it."""
    catalog = load()
    rooms = catalog.rules.goals_valid[task_type]
    return tuple(fp for fp in pool if catalog.scenes[fp].room_type in rooms and task_options(fp, task_type))


def pick_type(rng: np.random.Generator, subset: str, types=None) -> str:
    weights = SUBSET_TYPES.get(subset, {t: 1 for t in TASK_TYPES})
    names = [t for t in TASK_TYPES if t in weights and (types is None or t in types)]
    if not names:
        raise ValueError(f"no task type of {list(types)} belongs to subset {subset!r}")
    p = np.array([weights[t] for t in names], dtype=float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def generate(seed: int, subset: str = "base", scene_split: str = "train", floorplans=None, types=None,
             randomize: bool = True) -> tuple[Task, World]:
    """A task and its initial world, determined by ``seed`` and the arguments."""
    from envs.household import instructions  # instructions read tasks; keep the import one-way at load

    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    rng = np.random.default_rng(seed)
    pool = tuple(floorplans) if floorplans is not None else _split(scene_split)
    for _ in range(MAX_TRIES):
        task_type = pick_type(rng, subset, types)
        fps = _floorplans_for(pool, task_type)
        if not fps:
            continue
        fp = fps[int(rng.integers(len(fps)))]
        options = task_options(fp, task_type)
        share = SLICED_SHARE.get(subset, DEFAULT_SLICED_SHARE)
        sliced = [o for o in options if o.object_sliced]
        plain = [o for o in options if not o.object_sliced]
        group = sliced if sliced and (not plain or rng.random() < share) else plain
        option = group[int(rng.integers(len(group)))]
        task = Task(id="", type=task_type, subset=subset, instruction="", floorplan=fp,
                    seed=int(rng.integers(2**31 - 1)), randomize=randomize, **option.__dict__)
        world = world_for(task)
        if not feasible(world, task):
            continue
        written = instructions.write(task, world, rng)
        if written is None:
            continue
        text, bindings = written
        task = replace(task, instruction=text, **bindings)
        task = replace(task, id=task_id(task))
        return task, world
    raise RuntimeError(f"no feasible task after {MAX_TRIES} tries (seed={seed}, subset={subset})")


def task_id(task: Task) -> str:
    sliced = "Sliced" if task.object_sliced else ""
    parts = [task.type, task.object_target + sliced, task.mrecep_target or task.toggle_target or "None",
             task.parent_target or "None", str(task.floorplan)]
    return f"{task.subset}/{'-'.join(parts)}/s{task.seed}"
