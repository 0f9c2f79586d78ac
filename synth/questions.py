"""Video-QA question writers: pure functions from an episode's event log to multiple-choice questions.

The simulator's event log is the ground truth, so every answer here is computed from it and every
distractor is checked against it: a distractor is only offered when the log shows it did not
happen (or, for the goal family, when the log shows that goal was not achieved). Each writer
returns ``Question`` drafts whose distractors come in two tiers, ``hard`` (near misses: the same
object, an earlier place, another action of this very episode) and ``easy`` (the rest of the
scene); ``finalize`` draws the options and the answer's slot from a seeded generator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from envs.household.language import a, noun, plural
from envs.household.spatial import prep

EventLog = list[tuple[int, dict]]  # (env step, event), in the order the world emitted them
FAMILIES = ("state_change", "object_memory", "temporal", "counting", "purpose")
LETTERS = "ABCDEFGHIJ"
# When an object went through several things, the question asks for the most telling one; the
# others are true too, so they can never be distractors (see ``effects``).
PRIORITY = ("sliced", "heated", "cooled", "cleaned", "toggled_on", "toggled_off", "opened", "closed", "put",
            "dropped", "picked")
TREATMENTS = (("Sliceable", "sliced"), ("Heatable", "heated"), ("Coolable", "cooled"), ("Cleanable", "cleaned"))
LAMPS = ("DeskLamp", "FloorLamp")
APPLIANCE = {"heated": "Microwave", "cooled": "Fridge", "cleaned": "SinkBasin"}


@dataclass(frozen=True)
class Scene:
    """The classes a distractor may name: what the room holds, plus ALFRED's affordance tables."""

    pickables: tuple[str, ...]
    receptacles: tuple[str, ...]
    lamps: tuple[str, ...]
    holds: dict  # receptacle class -> frozenset of classes it can hold
    affords: dict  # "Heatable"... -> frozenset of classes
    movable: frozenset = frozenset()

    def can_hold(self, receptacle: str, obj: str) -> bool:
        return obj in self.holds.get(receptacle, ())


@dataclass
class Question:
    family: str
    question: str
    answer: str
    key_steps: list[int]  # env steps whose frames show the event(s) the answer rests on
    query: dict  # what was asked, structured, so that the answer can be recomputed from the log
    hard: list[str] = field(default_factory=list)
    easy: list[str] = field(default_factory=list)
    max_hard: int | None = None  # None: all hard ones first


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


def next_action(log: EventLog, anchor_step: int, direction: str) -> tuple[int, dict] | None:
    acts = actions(log)
    i = [s for s, _ in acts].index(anchor_step) + (1 if direction == "after" else -1)
    return acts[i] if 0 <= i < len(acts) else None


COUNTS = {
    "opened": "How many times did I open something?",
    "closed": "How many times did I close something?",
    "toggled_on": "How many times did I turn something on?",
    "put": "How many times did I put an object into or onto something?",
    "picked": "How many times did I pick something up?",
    "picked_distinct": "How many different objects did I pick up?",
}


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


# ---- writers ---------------------------------------------------------------------------------------
def state_change_questions(log: EventLog, scene: Scene) -> list[Question]:
    out = []
    handled = sorted({e["class"] for _, e in log if e["event"] in ("picked", "sliced")})
    for cls in handled:
        answer, steps = state_change_answer(log, cls)
        true = {p for _, _, p in effects(log, cls)}
        hard = [effect_phrase(k) for table, k in TREATMENTS if cls in scene.affords.get(table, ())]
        hard += [effect_phrase("put", r) for r in scene.receptacles if scene.can_hold(r, cls)]
        hard += [effect_phrase("picked"), effect_phrase("dropped")]
        easy = [effect_phrase(k) for _, k in TREATMENTS] + [effect_phrase(k) for k in ("toggled_on", "opened")]
        out.append(Question("state_change", f"What did I do to the {noun(cls)}?", answer, steps, {"object": cls},
                            [p for p in hard if p not in true], [p for p in easy if p not in true]))
    return out


def object_memory_questions(log: EventLog, scene: Scene) -> list[Question]:
    out = []
    for cls in sorted({e["class"] for _, e in log if e["event"] in ("put", "dropped")}):
        finals = final_places(log, cls)
        ends = {f[1] for f in finals.values() if f is not None}
        if None in finals.values() or len(ends) != 1:
            continue  # still in my hand, or the instances ended up in different places: no one answer
        answer = place(ends.pop())
        moves = [e for _, e in log if e["class"] == cls and e["event"] in ("picked", "put")]
        several = sum(e["event"] == "put" for e in moves) + sum(e["event"] == "dropped" for _, e in log
                                                                if e["class"] == cls) > 1
        question = (f"Where did I leave the {noun(cls)} in the end?" if several
                    else f"Where did I put the {noun(cls)}?")
        hard = [place(e["other_class"]) for e in moves if e["other_class"] is not None]  # earlier spots, origins
        easy = [place(r) for r in scene.receptacles if scene.can_hold(r, cls)] + [place(None)]
        if len(set(easy) - {answer}) < 4:  # a room with few fitting places: any receptacle will do
            easy += [place(r) for r in scene.receptacles]
        out.append(Question("object_memory", question, answer, sorted(s for s, _ in finals.values()),
                            {"object": cls}, [p for p in hard if p != answer], [p for p in easy if p != answer],
                            max_hard=2))
    return out


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def temporal_questions(log: EventLog, scene: Scene) -> list[Question]:
    acts = actions(log)
    phrases = [action_phrase(e) for _, e in acts]
    total = Counter(phrases)
    synthetic = [f"picked up the {noun(c)}" for c in scene.pickables]
    synthetic += [f"opened the {noun(c)}" for c in scene.receptacles if c in ("Fridge", "Microwave", "Cabinet",
                                                                               "Drawer", "Safe", "Box")]
    synthetic += [f"put the {noun(c)} {place(r)}" for c in scene.pickables for r in scene.receptacles
                  if scene.can_hold(r, c)]
    out, seen = [], Counter()
    for i, (step, _) in enumerate(acts):
        anchor = phrases[i]
        seen[anchor] += 1
        if total[anchor] > len(ORDINALS):
            continue
        nth = f" for the {ORDINALS[seen[anchor] - 1]} time" if total[anchor] > 1 else ""
        for direction, j in (("after", i + 1), ("before", i - 1)):
            if not 0 <= j < len(acts):
                continue
            answer = phrases[j]
            text = (f"Which of these did I do right after I {anchor}{nth}?" if direction == "after"
                    else f"Which of these did I do just before I {anchor}{nth}?")
            out.append(Question("temporal", text, answer, sorted({step, acts[j][0]}),
                                {"anchor_step": step, "direction": direction},
                                [p for p in phrases if p not in (answer, anchor)],
                                [p for p in synthetic if p not in (answer, anchor)]))
    return out


def counting_questions(log: EventLog, scene: Scene) -> list[Question]:
    asks = [(what, None, COUNTS[what]) for what in COUNTS]
    asks += [("picked", c, f"How many times did I pick up {a(c)}?")
             for c in sorted({e["class"] for _, e in log if e["event"] == "picked"})]
    out = []
    for what, cls, text in asks:
        n, steps = count(log, what, cls)
        if n == 0:
            continue
        out.append(Question("counting", text, str(n), steps, {"count": what, "object": cls}))
    return out


def count_window(n: int, rng: np.random.Generator, k: int) -> list[str]:
    """k consecutive counts around ``n``, with n's place in the run drawn at random, so that picking
    the middle value is no shortcut (except where 0 bounds the run)."""
    offset = int(rng.integers(min(n, k - 1) + 1))
    return [str(v) for v in range(n - offset, n - offset + k) if v != n]


def goal_candidates(scene: Scene, true: dict) -> list[dict]:
    """Goals of every task type over the scene's objects, as plausible as ALFRED's tables allow."""
    objs = sorted(set(scene.pickables) | {true["object"]})
    out = []
    for o in objs:
        parents = [p for p in scene.receptacles if scene.can_hold(p, o)]
        for p in parents:
            out += [{"type": "pick_and_place_simple", "object": o, "parent": p},
                    {"type": "pick_two_obj_and_place", "object": o, "parent": p}]
            for t, table, appliance in (("pick_clean_then_place_in_recep", "Cleanable", "SinkBasin"),
                                        ("pick_heat_then_place_in_recep", "Heatable", "Microwave"),
                                        ("pick_cool_then_place_in_recep", "Coolable", "Fridge")):
                if o in scene.affords.get(table, ()) and p != appliance:
                    out.append({"type": t, "object": o, "parent": p})
        out += [{"type": "look_at_obj_in_light", "object": o, "toggle": lamp} for lamp in scene.lamps]
        for m in sorted(scene.movable):
            if m != o and scene.can_hold(m, o):
                out += [{"type": "pick_and_place_with_movable_recep", "object": o, "mrecep": m, "parent": p}
                        for p in scene.receptacles if scene.can_hold(p, m)]
    return out


def purpose_questions(log: EventLog, scene: Scene, task: dict) -> list[Question]:
    goal = task_goal(task)
    if not goal_holds(goal, log):
        return []  # the log cannot vouch for the answer
    answer = goal_phrase(goal)
    hard, easy = [], []
    for g in goal_candidates(scene, goal):
        text = goal_phrase(g)
        if text == answer or goal_holds(g, log):
            continue  # also achieved by what I did, so it would be a second right answer
        near = g["type"] != goal["type"] and (g["object"] == goal["object"] or g.get("parent") == goal["parent"])
        (hard if near else easy).append(text)
    whole = goal["object"].removesuffix("Sliced")
    wanted = PRIORITY[1:4] + ("put", "picked") if goal["type"] == "look_at_obj_in_light" else PRIORITY[1:4] + ("put",)
    steps = [s for s, e in log if e["class"] == goal["object"] and e["event"] in wanted]
    steps += [s for s, e in log if e["event"] == "sliced" and e["class"] == whole and whole != goal["object"]]
    steps += [s for s, e in log if e["event"] == "put" and e["class"] == goal["mrecep"]]
    steps += [s for s, e in log if e["event"] == "toggled_on" and e["class"] == goal["toggle"]]
    return [Question("purpose", "What was I trying to accomplish in this video?", answer, sorted(set(steps)),
                     {"goal": goal}, hard, easy, max_hard=2)]


def finalize(q: Question, rng: np.random.Generator, k: int = 5) -> tuple[list[str], str] | None:
    """The ``k`` options and the answer's letter; the slot is drawn uniformly, never from an order."""
    if q.family == "counting":
        pool = count_window(int(q.answer), rng, k)
    else:
        hard = [q.hard[i] for i in rng.permutation(len(q.hard))]
        easy = [q.easy[i] for i in rng.permutation(len(q.easy))]
        cut = len(hard) if q.max_hard is None else q.max_hard
        pool = hard[:cut] + easy + hard[cut:]
    distractors = []
    for p in pool:
        if p != q.answer and p not in distractors:
            distractors.append(p)
    if len(distractors) < k - 1:
        return None
    distractors = distractors[:k - 1]
    if q.family == "counting":
        distractors = [distractors[i] for i in rng.permutation(len(distractors))]
    slot = int(rng.integers(k))
    return distractors[:slot] + [q.answer] + distractors[slot:], LETTERS[slot]


def write_questions(log: EventLog, scene: Scene, task: dict, families=FAMILIES) -> dict[str, list[Question]]:
    writers = {"state_change": lambda: state_change_questions(log, scene),
               "object_memory": lambda: object_memory_questions(log, scene),
               "temporal": lambda: temporal_questions(log, scene),
               "counting": lambda: counting_questions(log, scene),
               "purpose": lambda: purpose_questions(log, scene, task)}
    unknown = set(families) - set(writers)
    if unknown:
        raise ValueError(f"unknown question families {sorted(unknown)}; choose from {FAMILIES}")
    return {f: writers[f]() for f in families}
