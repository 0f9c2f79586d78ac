"""Goal conditions of a fixture game, counted over the game's PDDL facts as ALFRED's task classes
count them (``task_progress`` = satisfied / total). Success itself is the game's own goal check
(TextWorld's ``won``); these counts only say how far along an unfinished episode is."""

from __future__ import annotations

from collections import Counter

from envs.alfworld_text.games import GameSpec


def conditions_met(spec: GameSpec, facts: list[tuple[str, tuple[str, ...]]]) -> tuple[int, int]:
    """(satisfied, total) for the task type; TextWorld reports entity ids in lower case."""
    by_pred: dict[str, set[tuple[str, ...]]] = {}
    for name, args in facts:
        by_pred.setdefault(name.lower(), set()).add(tuple(a.lower() for a in args))
    otype = {o: t for o, t in by_pred.get("objecttype", ())}
    rtype = {r: t for r, t in by_pred.get("receptacletype", ())}
    obj_t = f"{spec.object_target.lower()}type"
    targets = {o for o, t in otype.items() if t == obj_t}
    placed = set()  # target objects that sit in a receptacle of the parent type
    per_parent: Counter = Counter()
    if spec.parent_target:
        parent_t = f"{spec.parent_target.lower()}type"
        for o, r in by_pred.get("inreceptacle", ()):
            if o in targets and rtype.get(r) == parent_t:
                placed.add(o)
                per_parent[r] += 1

    kind = spec.task_type
    if kind == "pick_and_place_simple":
        return int(bool(placed)), 1
    if kind == "pick_two_obj_and_place":
        return min(max(per_parent.values(), default=0), 2), 2
    if kind == "look_at_obj_in_light":
        held = any(o in targets for _, o in by_pred.get("holds", ()))
        return int(held) + int(_lamp_on_here(spec, by_pred, otype)), 2
    state = {"pick_clean_then_place_in_recep": "isclean", "pick_heat_then_place_in_recep": "ishot",
             "pick_cool_then_place_in_recep": "iscool"}.get(kind)
    if state is None:
        raise ValueError(f"no goal conditions for task type {kind!r}")
    changed = {args[0] for args in by_pred.get(state, ()) if args[0] in targets}
    return int(bool(placed)) + int(bool(changed)) + int(bool(placed & changed)), 3


def _lamp_on_here(spec: GameSpec, by_pred: dict, otype: dict) -> bool:
    """A toggled lamp of the toggle type in a receptacle at the agent's location (the goal's wording)."""
    lamp_t = f"{spec.toggle_target.lower()}type"
    here = {loc for _, loc in by_pred.get("atlocation", ())}
    recep_here = {r for r, loc in by_pred.get("receptacleatlocation", ()) if loc in here}
    toggled = {args[0] for args in by_pred.get("istoggled", ()) if otype.get(args[0]) == lamp_t}
    return any(o in toggled and r in recep_here for o, r in by_pred.get("inreceptacle", ()))
