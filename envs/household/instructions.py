"""Instruction writers for EB-ALFRED's six subsets, over one shared set of task sentences.

Each writer decides how the instruction refers to the task's objects (plainly, by common sense, by
position, by appearance...) and returns ``(text, bindings)``; ``bindings`` pins the goal to one
instance when the text singles one out. A writer returns ``None`` when it cannot refer to the
objects unambiguously in this world, and the generator then draws another task.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.household.language import a, noun, plural, sentence
from envs.household.world import INSIDE, World
from envs.task import Task


@dataclass(frozen=True)
class Refs:
    """How a sentence names each role of the task (indefinite and definite forms)."""

    obj: str
    the_obj: str
    parent: str = ""
    mrecep: str = ""
    toggle: str = ""
    objs: str = ""  # plural, for two-object tasks


def prep(cls: str | None) -> str:
    return "in" if cls in INSIDE else "on"


def choose(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def plain_refs(task: Task) -> Refs:
    cls = task.target_class
    return Refs(
        obj=a(cls), the_obj=f"the {noun(cls)}", objs=plural(cls),
        parent=f"the {noun(task.parent_target)}" if task.parent_target else "",
        mrecep=a(task.mrecep_target) if task.mrecep_target else "",
        toggle=f"the {noun(task.toggle_target)}" if task.toggle_target else "",
    )


def task_sentence(task: Task, r: Refs, rng: np.random.Generator) -> str:
    """One sentence stating the goal, worded by one of several templates per task type."""
    p = prep(task.parent_target)
    t = task.type
    if t == "pick_and_place_simple":
        options = [f"put {r.obj} {p} {r.parent}", f"place {r.obj} {p} {r.parent}",
                   f"move {r.obj} to {r.parent}", f"pick up {r.obj} and set it {p} {r.parent}"]
    elif t == "pick_two_obj_and_place":
        options = [f"put two {r.objs} {p} {r.parent}", f"place a pair of {r.objs} {p} {r.parent}",
                   f"move two {r.objs} to {r.parent}"]
    elif t == "look_at_obj_in_light":
        options = [f"examine {r.obj} under {r.toggle}", f"look at {r.obj} in the light of {r.toggle}",
                   f"pick up {r.obj} and turn on {r.toggle} to inspect it"]
    elif t == "pick_clean_then_place_in_recep":
        options = [f"put a clean {r.obj.split(' ', 1)[1]} {p} {r.parent}",
                   f"rinse {r.obj} in the sink and put it {p} {r.parent}",
                   f"wash {r.obj}, then place it {p} {r.parent}"]
    elif t == "pick_heat_then_place_in_recep":
        options = [f"put a heated {r.obj.split(' ', 1)[1]} {p} {r.parent}",
                   f"warm {r.obj} in the microwave and put it {p} {r.parent}",
                   f"heat up {r.obj}, then place it {p} {r.parent}"]
    elif t == "pick_cool_then_place_in_recep":
        options = [f"put a chilled {r.obj.split(' ', 1)[1]} {p} {r.parent}",
                   f"cool {r.obj} in the fridge and put it {p} {r.parent}",
                   f"chill {r.obj}, then place it {p} {r.parent}"]
    elif t == "pick_and_place_with_movable_recep":
        options = [f"put {r.obj} in {r.mrecep} and move it {p} {r.parent}",
                   f"place {r.mrecep} holding {r.obj} {p} {r.parent}",
                   f"put {r.obj} into {r.mrecep}, then set the {r.mrecep.split(' ', 1)[1]} {p} {r.parent}"]
    else:
        raise ValueError(f"unknown task type {t!r}")
    return sentence(choose(rng, options))


def write_base(task: Task, world: World, rng: np.random.Generator):
    return task_sentence(task, plain_refs(task), rng), {}


WRITERS = {"base": write_base}


def write(task: Task, world: World, rng: np.random.Generator):
    """``(instruction, bindings)`` for the task's subset, or ``None`` if it cannot be said unambiguously."""
    return WRITERS[task.subset](task, world, rng)
