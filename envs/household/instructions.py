"""Instruction writers for EB-ALFRED's six subsets, over one shared set of task sentences.

Each writer decides how the instruction refers to the task's objects (plainly, by common sense, by
position, by appearance...) and returns ``(text, bindings)``; ``bindings`` pins the goal to one
instance when the text singles one out. A writer returns ``None`` when it cannot refer to the
objects unambiguously in this world, and the generator then draws another task. Writers draw all
their choices from the ``rng`` they are given, so a task seed always gives the same text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from envs.household import appearance, descriptions, spatial
from envs.household.language import a, article, noun, plural, sentence
from envs.household.spatial import choose, prep
from envs.household.world import World
from envs.task import Task


@dataclass(frozen=True)
class Refs:
    """How a sentence names each role of the task, every phrase with its determiner."""

    obj: str  # "a mug", or one instance: "the mug on the desk"
    objs: str = ""  # plural, for two-object tasks
    parent: str = ""
    mrecep: str = ""
    toggle: str = ""
    definite: bool = False  # obj names one instance, so "put a clean mug ..." would misstate it


def bare(phrase: str) -> str:
    """The phrase without its determiner, to put another one in front: ``a clean`` + ``mug``."""
    return phrase.split(" ", 1)[1]


def plain_refs(task: Task) -> Refs:
    cls = task.target_class
    return Refs(
        obj=a(cls), objs=plural(cls),
        parent=f"the {noun(task.parent_target)}" if task.parent_target else "",
        mrecep=a(task.mrecep_target) if task.mrecep_target else "",
        toggle=f"the {noun(task.toggle_target)}" if task.toggle_target else "",
    )


def task_clause(task: Task, r: Refs, rng: np.random.Generator) -> str:
    """The goal as a lower-case clause, worded by one of several templates per task type.

    When ``r.obj`` singles out one instance ("the mug by the stove"), only templates where a verb
    stands between it and where it goes are used: "put the mug by the stove in the sink" stacks two
    places, and "put a clean mug" would let any mug do."""
    p = prep(task.parent_target)
    t = task.type

    def treated(adjective: str, in_appliance: str, verb: str, verb_it: str) -> list[str]:
        then_place = f"{verb} {r.obj}, then place it {p} {r.parent}"
        if r.definite:
            return [then_place, f"take {r.obj}, {verb_it}, and put it {p} {r.parent}"]
        return [f"put a {adjective} {bare(r.obj)} {p} {r.parent}", f"{in_appliance} and put it {p} {r.parent}",
                then_place]

    if t == "pick_and_place_simple":
        options = [f"put {r.obj} {p} {r.parent}", f"place {r.obj} {p} {r.parent}",
                   f"move {r.obj} to {r.parent}", f"pick up {r.obj} and set it {p} {r.parent}"]
        if r.definite:
            options = [f"pick up {r.obj} and set it {p} {r.parent}", f"take {r.obj} and put it {p} {r.parent}"]
    elif t == "pick_two_obj_and_place":
        options = [f"put two {r.objs} {p} {r.parent}", f"place a pair of {r.objs} {p} {r.parent}",
                   f"move two {r.objs} to {r.parent}"]
    elif t == "look_at_obj_in_light":
        options = [f"examine {r.obj} under {r.toggle}", f"look at {r.obj} in the light of {r.toggle}",
                   f"pick up {r.obj} and turn on {r.toggle} to inspect it"]
        if r.definite:
            options = [f"pick up {r.obj} and turn on {r.toggle} to inspect it",
                       f"take {r.obj} and examine it under {r.toggle}"]
    elif t == "pick_clean_then_place_in_recep":
        options = treated("clean", f"rinse {r.obj} in the sink", "wash", "wash it")
    elif t == "pick_heat_then_place_in_recep":
        options = treated("heated", f"warm {r.obj} in the microwave", "heat up", "heat it up")
    elif t == "pick_cool_then_place_in_recep":
        options = treated("chilled", f"cool {r.obj} in the fridge", "chill", "chill it")
    elif t == "pick_and_place_with_movable_recep":
        options = [f"put {r.obj} in {r.mrecep} and move it to {r.parent}",
                   f"place {r.mrecep} holding {r.obj} {p} {r.parent}",
                   f"put {r.obj} into {r.mrecep}, then set the {bare(r.mrecep)} {p} {r.parent}"]
        if r.definite:
            options = [f"take {r.obj} and put it in {r.mrecep}, then set the {bare(r.mrecep)} {p} {r.parent}",
                       f"put {r.obj} into {r.mrecep}, then set the {bare(r.mrecep)} {p} {r.parent}"]
    else:
        raise ValueError(f"unknown task type {t!r}")
    return choose(rng, options)


def task_sentence(task: Task, r: Refs, rng: np.random.Generator) -> str:
    return sentence(task_clause(task, r, rng))


# ---- base and common sense ---------------------------------------------------------------------
def write_base(task: Task, world: World, rng: np.random.Generator):
    return task_sentence(task, plain_refs(task), rng), {}


def write_common_sense(task: Task, world: World, rng: np.random.Generator):
    if not descriptions.known(task.object_target):
        return None
    plain = plain_refs(task)

    def sometimes(cls, form, fallback):
        # The object is always the riddle; a receptacle or lamp only now and then, so that the
        # sentence stays readable.
        return form(cls) if cls and descriptions.known(cls) and rng.random() < 0.5 else fallback

    r = Refs(obj=descriptions.indefinite(task.target_class), objs=descriptions.plural(task.target_class),
             parent=sometimes(task.parent_target, descriptions.definite, plain.parent),
             mrecep=sometimes(task.mrecep_target, descriptions.indefinite, plain.mrecep),
             toggle=sometimes(task.toggle_target, descriptions.definite, plain.toggle))
    return task_sentence(task, r, rng), {}


# ---- complex instruction: the goal wrapped in chatter that does not change it ------------------
ROOM_WORDS = {"Kitchen": "kitchen", "LivingRoom": "living room", "Bedroom": "bedroom", "Bathroom": "bathroom"}
OPENERS = (
    "I just got back from a long day and the {room} is a mess.",
    "My in-laws are visiting this weekend, so I'm trying to get the {room} in shape.",
    "I've been meaning to tidy up the {room} all week but never found the time.",
    "The {room} looked fine this morning, but things have piled up since.",
    "I'm stuck on a work call for the next hour and can't step away.",
    "Sorry to bother you, I know you've had a busy day.",
)
ASIDES = {
    "Kitchen": ("Dinner is at seven and I haven't even started cooking.",
                "The dishwasher is acting up again, but that's a problem for another day."),
    "LivingRoom": ("The game starts in twenty minutes and I'd like to watch it in peace.",
                   "The cat has been knocking things off the furniture all morning."),
    "Bedroom": ("I want the room neat before I go to sleep tonight.",
                "My sister is staying here for a few days, so she'll need some space."),
    "Bathroom": ("The plumber is coming tomorrow to look at the shower.",
                 "We're out of shampoo, but I'll pick some up later."),
}
REQUESTS = ("before the guests arrive, could you {goal}?", "could you please {goal}?",
            "if you have a minute, {goal}.", "here's what I need: {goal}.", "would you {goal} for me?", "{goal}.")
CLOSERS = ("Thanks, and don't worry about the dishes.", "No need to touch anything else.",
           "Thanks a lot, you're a lifesaver!", "Leave everything else where it is.",
           "I'll take care of the rest later.", "Don't bother vacuuming, I did that yesterday.")


def write_complex_instruction(task: Task, world: World, rng: np.random.Generator):
    room = world.scene.room_type
    parts = [choose(rng, OPENERS).format(room=ROOM_WORDS.get(room, "room"))]
    if room in ASIDES and rng.random() < 0.6:
        parts.append(choose(rng, ASIDES[room]))
    parts.append(sentence(choose(rng, REQUESTS).format(goal=task_clause(task, plain_refs(task), rng))))
    parts.append(choose(rng, CLOSERS))
    return " ".join(parts), {}


# ---- spatial: one instance singled out by where it is ------------------------------------------
def write_spatial(task: Task, world: World, rng: np.random.Generator):
    # A slice does not exist before the agent cuts it, and two-object goals take any two instances,
    # so only whole single objects can be bound.
    bindable = task.type != "pick_two_obj_and_place" and not task.object_sliced
    objects = spatial.object_refs(task, world, rng) if bindable else []
    parents = spatial.parent_refs(task, world, rng) if task.parent_target else []
    modes = [m for m, ok in (("object", objects), ("parent", parents), ("both", objects and parents)) if ok]
    if not modes:
        return None
    mode = choose(rng, modes)
    r, bindings = plain_refs(task), {}
    if mode in ("object", "both"):
        text, o = objects[int(rng.integers(len(objects)))]
        r, bindings["object_instance"] = replace(r, obj=text, definite=True), o.id
    if mode in ("parent", "both"):
        text, o = parents[int(rng.integers(len(parents)))]
        r, bindings["parent_instance"] = replace(r, parent=text), o.id
    return task_sentence(task, r, rng), bindings


# ---- visual appearance -------------------------------------------------------------------------
def write_visual_appearance(task: Task, world: World, rng: np.random.Generator):
    found = appearance.describe(world, task.object_target, rng)
    if found is None:
        return None
    one, many = found
    if task.object_sliced:
        word = descriptions.slice_word(task.object_target)
        obj, objs = f"a {word} of the {one}", f"{plural(word)} of the {one}"
    else:
        obj, objs = f"{article(one)} {one}", many
    return task_sentence(task, replace(plain_refs(task), obj=obj, objs=objs), rng), {}


# ---- long horizon: every stage spelled out -----------------------------------------------------
def _stages(task: Task, r: Refs) -> list[str]:
    p, thing, t = prep(task.parent_target), noun(task.target_class), task.type
    stages = [f"pick up {r.obj}"]
    if t == "pick_and_place_simple":
        stages += [f"carry it to {r.parent}", f"put it down {p} {r.parent}"]
    elif t == "pick_two_obj_and_place":
        stages += [f"put it {p} {r.parent}", f"pick up a second {thing}", f"put that one {p} {r.parent} as well"]
    elif t == "look_at_obj_in_light":
        stages += [f"keep holding it and walk over to {r.toggle}", "switch the lamp on",
                   f"look at the {thing} in its light"]
    elif t == "pick_clean_then_place_in_recep":
        stages += ["put it in the sink", "turn on the faucet to rinse it", f"pick up the clean {thing}",
                   f"put it {p} {r.parent}"]
    elif t == "pick_heat_then_place_in_recep":
        stages += ["put it in the microwave", "close the door and turn the microwave on", f"take the hot {thing} out",
                   f"put it {p} {r.parent}"]
    elif t == "pick_cool_then_place_in_recep":
        stages += ["put it in the fridge", "close the fridge to chill it", f"take the cold {thing} out",
                   f"put it {p} {r.parent}"]
    elif t == "pick_and_place_with_movable_recep":
        stages += [f"put it in {r.mrecep}", f"pick up the {bare(r.mrecep)} with the {thing} inside",
                   f"put it {p} {r.parent}"]
    else:
        raise ValueError(f"unknown task type {t!r}")
    if task.object_sliced:
        stages = [f"pick up a knife and slice the {noun(task.object_target)}", "put the knife down"] + stages
    return stages


LINKS = ("then", "next", "after that")


def write_long_horizon(task: Task, world: World, rng: np.random.Generator):
    r = plain_refs(task)
    stages = _stages(task, r)
    style = int(rng.integers(4))
    if style == 0:
        middle = "".join(f", {LINKS[k % len(LINKS)]} {s}" for k, s in enumerate(stages[1:-1]))
        text = sentence(f"first {stages[0]}{middle}, and finally {stages[-1]}")
    elif style == 1:
        text = " ".join(f"Step {k}: {sentence(s)}" for k, s in enumerate(stages, 1))
    elif style == 2:
        middle = [sentence(f"{LINKS[k % len(LINKS)]}, {s}") for k, s in enumerate(stages[1:-1])]
        text = " ".join([sentence(f"first, {stages[0]}"), *middle, sentence(f"finally, {stages[-1]}")])
    else:
        text = f"{task_sentence(task, r, rng)} Do it in this order: {'; '.join(stages)}."
    return text, {}


WRITERS = {
    "base": write_base,
    "common_sense": write_common_sense,
    "complex_instruction": write_complex_instruction,
    "spatial": write_spatial,
    "visual_appearance": write_visual_appearance,
    "long_horizon": write_long_horizon,
}


def write(task: Task, world: World, rng: np.random.Generator):
    """``(instruction, bindings)`` for the task's subset, or ``None`` if it cannot be said unambiguously."""
    return WRITERS[task.subset](task, world, rng)
