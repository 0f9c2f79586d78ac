"""Video-QA question writers: pure functions from an episode's event log to multiple-choice questions,
one per family, plus the drawing of each question's options.

Every answer comes from ``synth.log_answers``, and every distractor is checked against the log: a
distractor is only offered when the log shows it did not happen (or, for the goal family, when the
log shows that goal was not achieved). Each writer returns ``Question`` drafts whose distractors come
in two tiers, ``hard`` (near misses: the same object, an earlier place, another action of this very
episode) and ``easy`` (the rest of the scene); ``finalize`` draws the options and the answer's slot
from a seeded generator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from envs.household.language import a, noun
from synth.log_answers import (PRIORITY, EventLog, action_phrase, actions, count, effect_phrase, effects,
                               final_places, goal_holds, goal_phrase, place, state_change_answer, task_goal)

FAMILIES = ("state_change", "object_memory", "temporal", "counting", "purpose")
LETTERS = "ABCDEFGHIJ"
TREATMENTS = (("Sliceable", "sliced"), ("Heatable", "heated"), ("Coolable", "cooled"), ("Cleanable", "cleaned"))
LAMPS = ("DeskLamp", "FloorLamp")


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


COUNTS = {
    "opened": "How many times did I open something?",
    "closed": "How many times did I close something?",
    "toggled_on": "How many times did I turn something on?",
    "put": "How many times did I put an object into or onto something?",
    "picked": "How many times did I pick something up?",
    "picked_distinct": "How many different objects did I pick up?",
}


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
