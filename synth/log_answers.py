"""What an episode's event log says, read exactly: its actions, phrases for what happened, and the
answers and goal checks the video-QA questions in ``synth.questions`` rest on.

The simulator's event log is the ground truth, so the functions here are the single source of every
answer and of every check that a distractor did not happen (or, for a goal, was not achieved).
"""

from __future__ import annotations

from envs.household.language import a, noun, plural
from envs.household.spatial import prep

EventLog = list[tuple[int, dict]]  # (env step, event), in the order the world emitted them
# When an object went through several things, the question asks for the most telling one; the
# others are true too, so they can never be distractors (see ``effects``).
PRIORITY = ("sliced", "heated", "cooled", "cleaned", "toggled_on", "toggled_off", "opened", "closed", "put",
            "dropped", "picked")
APPLIANCE = {"heated": "Microwave", "cooled": "Fridge", "cleaned": "SinkBasin"}


def event_log(steps) -> EventLog:
    return [(s.step, e) for s in steps for e in s.events]


def actions(log: EventLog) -> list[tuple[int, dict]]:
    """One entry per step that changed the world: its first event is the skill's own (the rest are
    side effects such as the slices a cut creates or what the closed fridge chilled)."""
    out, seen = [], set()
    for step, e in log:
        if step not in seen:
            seen.add(step)
            out.append((step, e))
    return out


# ---- phrases -------------------------------------------------------------------------------------
def place(cls: str | None) -> str:
    return "on the floor" if cls is None else f"{prep(cls)} the {noun(cls)}"


def action_phrase(e: dict) -> str:
    """What I did, in the past tense: ``put the mug in the sink``."""
    k, the = e["event"], f"the {noun(e['class'])}"
    return {"picked": f"picked up {the}", "put": f"put {the} {place(e['other_class'])}",
            "dropped": f"dropped {the}", "opened": f"opened {the}", "closed": f"closed {the}",
            "toggled_on": f"turned on {the}", "toggled_off": f"turned off {the}", "sliced": f"sliced {the}",
            "heated": f"heated {the}", "cooled": f"chilled {the}", "cleaned": f"rinsed {the}"}[k]


def effect_phrase(kind: str, other_class: str | None = None) -> str:
    """What I did to it: ``heated it in the microwave``."""
    if kind == "put":
        return f"put it {place(other_class)}"
    if kind in APPLIANCE:
        verb = {"heated": "heated", "cooled": "chilled", "cleaned": "rinsed"}[kind]
        return f"{verb} it {place(other_class or APPLIANCE[kind])}"
    return {"sliced": "sliced it", "toggled_on": "turned it on", "toggled_off": "turned it off",
            "opened": "opened it", "closed": "closed it", "picked": "picked it up",
            "dropped": "dropped it on the floor"}[kind]


def effects(log: EventLog, cls: str) -> list[tuple[int, str, str]]:
    """(step, kind, phrase) of everything that happened to objects of class ``cls``."""
    return [(s, e["event"], effect_phrase(e["event"], e["other_class"])) for s, e in log
            if e["class"] == cls and e["event"] in PRIORITY]


# ---- answers from the log (one small function per family) -----------------------------------------
def state_change_answer(log: EventLog, cls: str) -> tuple[str, list[int]]:
    """The most telling thing done to ``cls`` (a put: the last one) and the steps it happened at."""
    done = effects(log, cls)
    kind = min({k for _, k, _ in done}, key=PRIORITY.index)
    hits = [(s, p) for s, k, p in done if k == kind]
    phrase = hits[-1][1]
    return phrase, [s for s, p in hits if p == phrase]


def final_places(log: EventLog, cls: str) -> dict[str, tuple[int, str | None] | None]:
    """For each instance of ``cls`` I moved: (step, receptacle class or None for the floor) of where it
    ended up, or None when I still held it at the end."""
    out = {}
    for s, e in log:
        if e["class"] == cls and e["event"] in ("picked", "put", "dropped"):
            out[e["object"]] = None if e["event"] == "picked" else (s, e["other_class"])
    return out


def count(log: EventLog, what: str, cls: str | None = None) -> tuple[int, list[int]]:
    kind = "picked" if what == "picked_distinct" else what
    hits = [(s, e) for s, e in log if e["event"] == kind and (cls is None or e["class"] == cls)]
    if what == "picked_distinct":
        first = {}
        for s, e in hits:
            first.setdefault(e["object"], s)
        return len(first), sorted(set(first.values()))
    return len(hits), sorted({s for s, _ in hits})


def goal_phrase(g: dict) -> str:
    o, p = g["object"], g.get("parent")
    t = g["type"]
    if t == "pick_and_place_simple":
        text = f"put {a(o)} {place(p)}"
    elif t == "pick_two_obj_and_place":
        text = f"put two {plural(o)} {place(p)}"
    elif t == "look_at_obj_in_light":
        text = f"examine {a(o)} under the {noun(g['toggle'])}"
    elif t == "pick_and_place_with_movable_recep":
        text = f"put {a(o)} in {a(g['mrecep'])}, then put the {noun(g['mrecep'])} {place(p)}"
    else:
        adjective = {"pick_clean_then_place_in_recep": "clean", "pick_heat_then_place_in_recep": "heated",
                     "pick_cool_then_place_in_recep": "chilled"}[t]
        text = f"put a {adjective} {noun(o)} {place(p)}"
    return text[:1].upper() + text[1:] + "."


def goal_holds(g: dict, log: EventLog) -> bool:
    """Whether the log shows me achieving goal ``g`` (only what I moved counts: the log does not
    know where the objects I never touched are)."""
    where, cls, flags, on = {}, {}, {}, {}
    for _, e in log:
        o, k = e["object"], e["event"]
        cls[o] = e["class"]
        if k in ("picked", "put", "dropped"):
            where[o] = {"picked": "hand", "dropped": "floor"}.get(k, e["other"])
            if e["other"] is not None:
                cls[e["other"]] = e["other_class"]
        elif k in ("heated", "cooled"):
            flags[o] = flags.get(o, set()) - {"heated", "cooled"} | {k}
        elif k == "cleaned":
            flags.setdefault(o, set()).add(k)
        elif k in ("toggled_on", "toggled_off"):
            on[o] = k == "toggled_on"

    def is_a(x, c):
        return x is not None and cls.get(x) == c

    mine = [o for o in where if cls[o] == g["object"]]
    placed = [o for o in mine if is_a(where[o], g.get("parent"))]
    t = g["type"]
    if t == "pick_and_place_simple":
        return bool(placed)
    if t == "pick_two_obj_and_place":
        return len(placed) >= 2
    if t == "look_at_obj_in_light":
        return any(where[o] == "hand" for o in mine) and any(v and cls[x] == g["toggle"] for x, v in on.items())
    if t == "pick_and_place_with_movable_recep":
        return any(is_a(where[o], g["mrecep"]) and is_a(where.get(where[o]), g["parent"]) for o in mine)
    need = {"pick_clean_then_place_in_recep": "cleaned", "pick_heat_then_place_in_recep": "heated",
            "pick_cool_then_place_in_recep": "cooled"}[t]
    return any(need in flags.get(o, ()) for o in placed)


def task_goal(task: dict) -> dict:
    target = task["object_target"] + ("Sliced" if task.get("object_sliced") else "")
    return {"type": task["type"], "object": target, "parent": task.get("parent_target"),
            "mrecep": task.get("mrecep_target"), "toggle": task.get("toggle_target")}
