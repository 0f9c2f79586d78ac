"""Instruction writers of the six subsets: text, determinism, references that single out what the goal
needs, and goals the planner can still reach."""

import math
import os
import re
import string
import subprocess
import sys
from dataclasses import replace
from functools import lru_cache
from itertools import combinations

import numpy as np
import pytest

from envs.household import appearance, descriptions, goals, instructions, palette, planner, skills, spatial, tasks
from envs.household.catalog import load
from envs.household.env import HouseholdEnv
from envs.household.language import noun, plural
from envs.household.placement import alias_names
from envs.household.vocab import GLOBAL_ACTIONS, PICK_OBJECTS, SLICE_OBJECTS, alias_actions
from envs.household.world import FLOOR
from envs.task import SUBSETS, TASK_TYPES

from .conftest import default_world

SEEDS = range(12)


@lru_cache(maxsize=None)
def generated(subset: str, seed: int):
    return tasks.generate(seed, subset, scene_split="all")


def words_in(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text) is not None


# ---- every subset ------------------------------------------------------------------------------
@pytest.mark.parametrize("subset", SUBSETS)
def test_every_subset_writes_printable_ascii(subset):
    for seed in SEEDS:
        task, _ = generated(subset, seed)
        assert task.instruction.strip() and set(task.instruction) <= set(string.printable), task.instruction
        assert task.instruction[0].isupper() and task.instruction.rstrip()[-1] in ".?!"


@pytest.mark.parametrize("subset", SUBSETS)
def test_same_seed_same_instruction(subset):
    first, second = HouseholdEnv(subset=subset, view="blank"), HouseholdEnv(subset=subset, view="blank")
    for seed in (3, 4):
        first.reset(seed=seed)
        second.reset(seed=seed)
        assert first.task == second.task
    assert HouseholdEnv(subset=subset, view="blank").reset(seed=5)[0]["instruction"] != first.task.instruction


def test_instructions_do_not_depend_on_string_hashing():
    code = ("from envs.household import tasks; from envs.task import SUBSETS; "
            "print([tasks.generate(s, sub, scene_split='all')[0] for sub in SUBSETS for s in range(3)])")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    outs = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": h}, cwd=root,
                           capture_output=True, text=True, check=True).stdout for h in ("1", "2")}
    assert len(outs) == 1


@pytest.mark.parametrize("subset", SUBSETS)
def test_planner_reaches_the_goal_of_every_subset(subset):
    for seed in range(10):
        task, world = generated(subset, seed)
        recs, picks = alias_names(world)
        actions = planner.plan(world, task, list(GLOBAL_ACTIONS) + alias_actions(recs, picks))
        sim = world.copy()
        for action in actions:
            assert skills.execute(sim, action).success, (task.id, action)
        assert goals.satisfied(sim, task), task.id


# ---- common sense ------------------------------------------------------------------------------
def test_each_description_denotes_one_class():
    texts = [descriptions.text(c) for c in descriptions.DESCRIPTIONS]
    assert len(texts) == len(set(texts))
    for cls in descriptions.DESCRIPTIONS:
        assert not words_in(descriptions.text(cls).lower(), noun(cls).lower()), f"{cls} gives its name away"


def test_descriptions_cover_every_class_a_task_can_name():
    catalog = load()
    needed = set(PICK_OBJECTS) | set(catalog.rules.receptacle_objects) | set(tasks.LAMPS)
    for fp in catalog.floorplans():
        for t in TASK_TYPES:
            for o in tasks.task_options(fp, t):
                needed |= {c for c in (o.object_target, o.parent_target, o.toggle_target, o.mrecep_target) if c}
    assert not sorted(needed - set(descriptions.DESCRIPTIONS))


def test_sliced_and_plural_descriptions_read_as_noun_phrases():
    for cls in SLICE_OBJECTS:
        assert re.match(r"an? (slice|piece) of an? ", descriptions.indefinite(cls + "Sliced"))
        assert re.match(r"(slices|pieces) of an? ", descriptions.plural(cls + "Sliced"))
    assert descriptions.indefinite("RemoteControl") == "a handheld device for changing TV channels"
    assert descriptions.plural("Knife") == "sharp blades for chopping food"


def test_common_sense_names_the_object_by_its_description():
    for seed in SEEDS:
        task, _ = generated("common_sense", seed)
        phrases = (descriptions.text(task.object_target), descriptions.plural(task.target_class))
        assert any(p in task.instruction for p in phrases), task.instruction


# ---- complex instruction and long horizon ------------------------------------------------------
def test_complex_instruction_states_the_goal_among_chatter():
    for seed in SEEDS:
        task, _ = generated("complex_instruction", seed)
        assert len(re.findall(r"[.?!](\s|$)", task.instruction)) >= 3, task.instruction
        assert noun(task.target_class) in task.instruction, task.instruction  # or its plural
        if task.parent_target:
            assert noun(task.parent_target) in task.instruction, task.instruction


def test_long_horizon_spells_out_the_stages():
    for seed in SEEDS:
        task, _ = generated("long_horizon", seed)
        text = task.instruction.lower()
        assert re.search(r"\bfirst\b|step 1|in this order", text), text
        assert text.count("pick up") >= 1 and len(re.findall(r"[,;.:]", text)) >= 3, text
        if task.object_sliced:
            assert "knife" in text and "slice the" in text


# ---- spatial -----------------------------------------------------------------------------------
def right_and_forward(landmark, o) -> tuple[float, float]:
    """Written again here on purpose: left and right as seen from the landmark's interaction pose."""
    x, z, yaw = landmark.pose[:3]
    fx, fz = math.sin(math.radians(yaw)), math.cos(math.radians(yaw))
    dx, dz = o.center[0] - x, o.center[2] - z
    return dx * fz - dz * fx, dx * fx + dz * fz


def only_instance(world, noun_text: str):
    hits = [o for o in world.objects if o.alive and o.interactive and noun(o.cls) == noun_text]
    assert len({o.cls for o in hits}) == 1 and len(hits) == 1, noun_text
    return hits[0]


END = r"(?= (?:in|on|to|and|into|under|then)\b|,|\.)"  # where a place name ends in the sentence


def holder_noun(world, o) -> str:
    return "floor" if o.parent == FLOOR else noun(world.objects[o.parent].cls)


def check_unique(world, text: str, cls: str, bound) -> None:
    """The phrase in ``text`` about ``cls`` denotes ``bound`` and no other instance of the class."""
    name = noun(cls)
    others = [world.objects[i] for i in world.by_class(cls) if world.objects[i].id != bound.id]
    if m := re.search(rf"the {name} (?:from|(?:that is|sitting) (?:in|on)) the ([A-Za-z ]+?){END}", text):
        assert holder_noun(world, bound) == m.group(1)
        assert all(holder_noun(world, o) != m.group(1) for o in others)
    elif m := re.search(rf"the {name} (?:closest|nearest) to the ([A-Za-z ]+?){END}", text):
        lm = only_instance(world, m.group(1))
        assert all(math.dist(o.center, lm.center) > math.dist(bound.center, lm.center) for o in others)
    elif m := re.search(rf"the {name} (?:just|directly to the) (left|right) of the ([A-Za-z ]+?){END}", text):
        lm, sign = only_instance(world, m.group(2)), 1 if m.group(1) == "right" else -1

        def on_side(o) -> bool:  # things in line with the landmark (under, over it) are on neither side
            right, forward = right_and_forward(lm, o)
            return sign * (right - right_and_forward(lm, lm)[0]) >= spatial.SIDE_OFFSET and forward > 0

        assert on_side(bound)
        assert all(math.dist(o.center, lm.center) > math.dist(bound.center, lm.center) for o in others if on_side(o))
    elif m := re.search(rf"the (highest|lowest) {name}\b", text):
        sign = 1 if m.group(1) == "highest" else -1
        assert all(sign * (bound.center[1] - o.center[1]) > 0 for o in others)
    else:
        raise AssertionError(f"no spatial phrase about the {name} in {text!r}")


def test_spatial_bindings_name_the_unique_instance_the_text_describes():
    bound = 0
    for seed in range(40):
        task, world = generated("spatial", seed)
        assert task.object_instance or task.parent_instance, task.instruction
        text = task.instruction[0].lower() + task.instruction[1:]
        for instance, cls in ((task.object_instance, task.object_target), (task.parent_instance, task.parent_target)):
            if instance is None:
                continue
            hits = [o for o in world.objects if o.id == instance]
            assert len(hits) == 1 and hits[0].cls == cls and hits[0].interactive
            check_unique(world, text, cls, hits[0])
            bound += 1
    assert bound >= 40


def test_spatial_gives_up_when_nothing_needs_singling_out():
    task, world = generated("base", 0)
    world = world.copy()
    for cls in (task.object_target, task.parent_target):
        for i in world.by_class(cls)[1:]:
            world.objects[i].alive = False
    world.invalidate()
    assert instructions.write(replace(task, subset="spatial"), world, np.random.default_rng(0)) is None


# ---- visual appearance -------------------------------------------------------------------------
def test_palette_covers_every_class_and_keeps_neighbours_apart():
    catalog = load()
    every = set(catalog.rules.objects) | {o.type for s in catalog.scenes.values() for o in s.objects if o.interactive}
    assert not sorted(every - set(palette.PALETTE))
    assert len({look.rgb for look in palette.PALETTE.values()}) == len(palette.PALETTE)
    for scene in catalog.scenes.values():
        small = {o.type for o in scene.objects if o.interactive and o.pickupable}
        small |= {c + "Sliced" for c in small if c in SLICE_OBJECTS}
        for x, y in combinations(sorted(small), 2):
            if not (x.endswith("Sliced") and y.endswith("Sliced")):  # one task slices one class
                gap = math.dist(palette.PALETTE[x].rgb, palette.PALETTE[y].rgb)
                assert gap >= palette.MIN_RGB_DISTANCE, (x, y)


def test_shape_words_follow_the_dimensions():
    assert appearance.shape("Apple") == "round" and appearance.shape("Fork") == "long"
    assert appearance.shape("Plate") == "flat" and appearance.shape("WineBottle") == "tall"
    assert appearance.shape("Box") == "box-shaped" and appearance.size("Egg") == "small"


def test_visual_description_singles_out_the_class_in_its_world():
    for seed in range(30):
        task, world = generated("visual_appearance", seed)
        own = appearance.attributes(world, task.object_target)
        used = {a: w for a, w in own.items() if words_in(task.instruction, w) or words_in(task.instruction, plural(w))}
        assert set(used) & {"colour", "shape", "material"}, task.instruction
        for o in world.objects:
            if o.alive and o.interactive and o.cls != task.object_target:
                assert not all(appearance.fits(a, w, o.cls, o.materials) for a, w in used.items()), (
                    task.instruction, o.cls)


def test_visual_gives_up_when_look_alikes_share_the_room():
    world = default_world(1)
    assert world.by_class("Apple") and world.by_class("Tomato")  # both red, round, small food
    assert appearance.describe(world, "Apple", np.random.default_rng(0)) is None
