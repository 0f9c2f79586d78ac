"""Worlds built from real floorplans with AI2-THOR's default placement, so positions are known."""

import pytest

from envs.household.catalog import load
from envs.household.placement import build_world
from envs.household.world import World


def default_world(floorplan: int, seed: int = 0) -> World:
    catalog = load()
    return build_world(catalog.scenes[floorplan], catalog.rules, seed=seed, randomize=False)


def named(world: World, name: str) -> int:
    """Index of the living interactive object called ``name`` (``Cabinet_2``, ``Apple``...)."""
    hits = [o.idx for o in world.objects if o.alive and o.interactive and o.name == name]
    assert len(hits) == 1, f"{name}: {hits}"
    return hits[0]


@pytest.fixture
def kitchen() -> World:
    """FloorPlan1 as AI2-THOR lays it out: an egg in the fridge, a knife in Drawer_3, an apple on
    the counter, a microwave, a sink with its faucet."""
    return default_world(1)
