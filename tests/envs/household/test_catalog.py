"""The packaged scene catalog: all 120 iTHOR floorplans, ALFRED's split, and a reproducible build."""

import importlib.util

import pytest

from envs.household import build_catalog
from envs.household.catalog import ROOM_TYPES, catalog_bytes, load

TEST_SCENES = set(range(1, 7)) | set(range(201, 207)) | set(range(301, 307)) | set(range(401, 407))


def test_all_120_floorplans_load_with_their_room_types():
    catalog = load()
    assert sorted(catalog.scenes) == list(range(1, 31)) + list(range(201, 231)) + list(range(301, 331)) + list(
        range(401, 431))
    room_of_hundred = {0: "Kitchen", 2: "LivingRoom", 3: "Bedroom", 4: "Bathroom"}
    for fp, scene in catalog.scenes.items():
        assert scene.room_type == room_of_hundred[fp // 100] and scene.room_type in ROOM_TYPES
        assert scene.navigable.shape[1] == 2 and len(scene.navigable) >= 20
        assert scene.statics and scene.pickables


def test_alfred_split_is_part_of_the_catalog():
    catalog = load()
    assert set(catalog.floorplans("test")) == TEST_SCENES
    assert set(catalog.floorplans("train")) == set(catalog.scenes) - TEST_SCENES
    assert catalog.rules.test_scenes == frozenset(TEST_SCENES)
    with pytest.raises(ValueError, match="scene_split"):
        catalog.floorplans("validation")


def test_objects_carry_real_geometry_and_furniture_has_poses():
    scene = load().scenes[1]
    fridge = next(o for o in scene.objects if o.type == "Fridge")
    assert fridge.id == "Fridge|-02.10|+00.00|+01.07" and fridge.openable and fridge.receptacle
    assert 0.5 < fridge.size[0] < 1.5 and 1.5 < fridge.size[1] < 2.5
    assert fridge.pose_source == "alfworld" and fridge.reachable
    egg = next(o for o in scene.objects if o.type == "Egg")
    assert egg.parent == fridge.id and egg.pickupable and egg.sliceable
    reachable = [o.reachable for s in load().scenes.values() for o in s.statics if o.interactive and o.receptacle]
    assert sum(reachable) / len(reachable) > 0.99


def test_rules_are_alfreds_tables():
    rules = load().rules
    assert rules.can_hold("Fridge", "Apple") and not rules.can_hold("Mug", "Apple")
    assert rules.can_hold("CoffeeMachine", "Mug") and rules.can_hold("Toaster", "BreadSliced")
    assert "AppleSliced" in rules.action_objects["Heatable"]
    assert rules.goals_valid["pick_heat_then_place_in_recep"] == frozenset({"Kitchen"})
    assert rules.movable_receptacles == frozenset({"Bowl", "Box", "Cup", "Mug", "Plate", "Pan", "Pot"})


@pytest.mark.skipif(importlib.util.find_spec("alfworld") is None or importlib.util.find_spec("procthor") is None,
                    reason="scene-data packages absent: pip install --no-deps alfworld==0.4.2 procthor==0.0.1.dev2")
def test_rebuilding_the_catalog_gives_the_same_bytes():
    assert build_catalog.encode(build_catalog.build()) == catalog_bytes()
