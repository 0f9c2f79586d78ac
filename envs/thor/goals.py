"""ALFRED's goal conditions (``env/tasks.py``) checked on THOR metadata, and ALFRED's implicit state
changes (``ThorEnv.update_states``): an object is *heated* when a microwave it is in is turned on,
*cooled* when a fridge it is in is closed, *cleaned* when a faucet is turned on and it lies in the
sink basin nearest that faucet. THOR 2.1.0 tracks none of these three itself, so the env must.

Counts as ALFRED's and as the household env's ``envs/household/goals.py``: simple 1, pick-two 2,
look-at 2, clean/heat/cool 3, movable receptacle 3, plus one for a sliced target (two for pick-two).
Classes match on ``objectType`` exactly, where ALFRED matches substrings of the objectId (so that a
"Pot" target would also count a "Potato"); that quirk is not copied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from envs.task import Task


@dataclass
class Treated:
    """The objectIds ALFRED counts as heated, cooled and cleaned in this episode."""

    heated: set[str] = field(default_factory=set)
    cooled: set[str] = field(default_factory=set)
    cleaned: set[str] = field(default_factory=set)

    def update(self, action: dict, meta: dict) -> list[tuple[str, str, str]]:
        """After a successful controller action: what it heated / cooled / cleaned, as (event, object, by)."""
        if not meta.get("lastActionSuccess"):
            return []
        name, oid = action.get("action"), action.get("objectId", "")
        objs = {o["objectId"]: o for o in meta["objects"]}
        target = objs.get(oid)
        if target is None:
            return []
        if name == "ToggleObjectOn" and target["objectType"] == "Microwave":
            return _mark(self.heated, "heated", target)
        if name == "CloseObject" and target["objectType"] == "Fridge":
            return _mark(self.cooled, "cooled", target)
        if name == "ToggleObjectOn" and target["objectType"] == "Faucet":
            basins = [o for o in meta["objects"] if o["objectType"] == "SinkBasin"]
            if basins:
                basin = min(basins, key=lambda b: _dist(b, target))
                return _mark(self.cleaned, "cleaned", basin)
        return []


def _mark(done: set[str], kind: str, container: dict) -> list[tuple[str, str, str]]:
    new = [i for i in container.get("receptacleObjectIds") or [] if i not in done]
    done.update(new)
    return [(kind, i, container["objectId"]) for i in new]


def _dist(a: dict, b: dict) -> float:
    pa, pb = a["position"], b["position"]
    return math.dist((pa["x"], pa["y"], pa["z"]), (pb["x"], pb["y"], pb["z"]))


def _of_type(meta: dict, cls: str | None) -> list[dict]:
    return [o for o in meta["objects"] if cls is not None and o["objectType"] == cls]


def _inside(obj: dict, container: dict) -> bool:
    return obj["objectId"] in (container.get("receptacleObjectIds") or [])


def conditions_met(meta: dict, task: Task, treated: Treated) -> tuple[int, int]:
    objs = _of_type(meta, task.target_class)
    parents = _of_type(meta, task.parent_target)
    s, ts = 0, 0
    if task.object_sliced:
        need = 2 if task.type == "pick_two_obj_and_place" else 1
        ts += need
        s += min(len(objs), need)
    t = task.type
    if t == "pick_and_place_simple":
        ts += 1
        s += any(_inside(o, p) for o in objs for p in parents)
    elif t == "pick_two_obj_and_place":
        ts += 2
        s += min(max((sum(_inside(o, p) for o in objs) for p in parents), default=0), 2)
    elif t == "look_at_obj_in_light":
        ts += 2
        held = {o["objectId"] for o in meta.get("inventoryObjects") or []}
        s += any(o["objectId"] in held for o in objs)
        s += any(o["isToggled"] and o["visible"] for o in _of_type(meta, task.toggle_target))
    elif t in ("pick_clean_then_place_in_recep", "pick_heat_then_place_in_recep", "pick_cool_then_place_in_recep"):
        ts += 3
        done = {"pick_clean_then_place_in_recep": treated.cleaned, "pick_heat_then_place_in_recep": treated.heated,
                "pick_cool_then_place_in_recep": treated.cooled}[t]
        placed = {o["objectId"] for o in objs for p in parents if _inside(o, p)}
        treated_ids = {o["objectId"] for o in objs if o["objectId"] in done}
        s += bool(placed) + bool(treated_ids) + bool(placed & treated_ids)
    elif t == "pick_and_place_with_movable_recep":
        ts += 3
        movables = _of_type(meta, task.mrecep_target)
        s += any(_inside(o, m) for o in objs for m in movables)
        s += any(_inside(m, p) for m in movables for p in parents)
        s += any(_inside(m, p) and any(_inside(o, m) for o in objs) for m in movables for p in parents)
    else:
        raise ValueError(f"unknown task type {t!r}")
    return int(s), ts
