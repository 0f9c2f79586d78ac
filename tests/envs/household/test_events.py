"""After every state-changing skill the event record names exactly the objects that changed."""

import pytest

from envs.household import skills

from .conftest import default_world, named


def snapshot(world) -> dict:
    return {o.idx: (o.parent, o.is_open, o.is_on, o.hot, o.cold, o.clean, o.alive) for o in world.objects}


def step(world, action):
    """Run one skill; return its events and the objects whose state or place changed."""
    before = snapshot(world)
    world.events.clear()
    out = skills.execute(world, action)
    after = snapshot(world)
    changed = {i for i in after if before.get(i) != after[i]}
    return out, list(world.events), changed


def check(world, action, expected):
    out, events, changed = step(world, action)
    assert out.success, out.feedback
    assert events == expected
    assert {e[1] for e in events} == changed, "events must name exactly the objects that changed"


@pytest.fixture
def kitchen():
    return default_world(1)


def test_find_changes_no_object(kitchen):
    check(kitchen, "find a Fridge", [])


def test_pick_put_drop(kitchen):
    apple, counter, fridge = named(kitchen, "Apple"), named(kitchen, "CounterTop"), named(kitchen, "Fridge")
    check(kitchen, "find a Apple", [])
    check(kitchen, "pick up the Apple", [("picked", apple, counter)])
    check(kitchen, "find a Fridge", [])
    check(kitchen, "open the Fridge", [("opened", fridge, None)])
    check(kitchen, "put down the object in hand", [("put", apple, fridge)])
    check(kitchen, "pick up the Apple", [("picked", apple, fridge)])
    check(kitchen, "drop the object in hand", [("dropped", apple, None)])


def test_picking_a_bowl_names_the_bowl_not_what_rides_in_it(kitchen):
    bowl, apple = named(kitchen, "Bowl"), named(kitchen, "Apple")
    check(kitchen, "find a Apple", [])
    check(kitchen, "pick up the Apple", [("picked", apple, named(kitchen, "CounterTop"))])
    check(kitchen, "find a Bowl", [])
    check(kitchen, "put down the object in hand", [("put", apple, bowl)])
    check(kitchen, "pick up the Bowl", [("picked", bowl, named(kitchen, "CounterTop"))])
    assert kitchen.is_held(apple)


def test_closing_the_fridge_cools_what_is_not_cold_yet(kitchen):
    fridge, egg, apple = named(kitchen, "Fridge"), named(kitchen, "Egg"), named(kitchen, "Apple")
    for a in ("find a Apple", "pick up the Apple", "find a Fridge", "open the Fridge", "put down the object in hand"):
        skills.execute(kitchen, a)
    # contents are listed in world order (the apple's index is lower than the egg's)
    assert apple < egg
    check(kitchen, "close the Fridge", [("closed", fridge, None), ("cooled", apple, fridge), ("cooled", egg, fridge)])
    check(kitchen, "open the Fridge", [("opened", fridge, None)])
    check(kitchen, "close the Fridge", [("closed", fridge, None)])  # already cold: nothing else changes


def test_microwave_heats_only_on_switching_on(kitchen):
    mw, apple = named(kitchen, "Microwave"), named(kitchen, "Apple")
    for a in ("find a Apple", "pick up the Apple", "find a Microwave", "open the Microwave",
              "put down the object in hand"):
        skills.execute(kitchen, a)
    check(kitchen, "close the Microwave", [("closed", mw, None)])
    check(kitchen, "turn on the Microwave", [("toggled_on", mw, None), ("heated", apple, mw)])
    check(kitchen, "turn off the Microwave", [("toggled_off", mw, None)])


def test_faucet_cleans_what_is_in_the_basin(kitchen):
    faucet, basin = named(kitchen, "Faucet"), named(kitchen, "Sink")
    sponge, apple = named(kitchen, "DishSponge"), named(kitchen, "Apple")
    for a in ("find a Apple", "pick up the Apple", "find a Sink", "put down the object in hand"):
        skills.execute(kitchen, a)
    assert apple < sponge
    check(kitchen, "turn on the Faucet",
          [("toggled_on", faucet, None), ("cleaned", apple, basin), ("cleaned", sponge, basin)])
    check(kitchen, "turn off the Faucet", [("toggled_off", faucet, None)])


def test_slicing_names_the_cut_object_and_its_slices(kitchen):
    apple, knife = named(kitchen, "Apple"), named(kitchen, "Knife")
    for a in ("find a Drawer_3", "open the Drawer_3", "pick up the Knife", "find a Apple"):
        skills.execute(kitchen, a)
    n = len(kitchen.objects)
    slices = list(range(n, n + skills.SLICES_PER_OBJECT))
    check(kitchen, "slice the Apple", [("sliced", apple, knife)] + [("created", s, apple) for s in slices])


def test_failed_skills_change_nothing_and_report_nothing(kitchen):
    for action in ("pick up the Egg", "open the Safe", "turn on the Microwave", "slice the Apple",
                   "put down the object in hand", "close the Fridge"):
        out, events, changed = step(kitchen, action)
        assert not out.success and events == [] and changed == set(), action


def test_a_third_failed_put_drops_and_says_so(kitchen):
    apple = named(kitchen, "Apple")
    for a in ("find a Apple", "pick up the Apple", "find a Fridge", "put down the object in hand",
              "put down the object in hand"):
        skills.execute(kitchen, a)
    out, events, changed = step(kitchen, "put down the object in hand")
    assert not out.success and events == [("dropped", apple, None)] and changed == {apple}


def test_the_skill_reports_the_object_it_acted_on(kitchen):
    assert skills.execute(kitchen, "find a Fridge").target == named(kitchen, "Fridge")
    assert skills.execute(kitchen, "open the Fridge").target == named(kitchen, "Fridge")
    assert skills.execute(kitchen, "pick up the Egg").target == named(kitchen, "Egg")
    assert skills.execute(kitchen, "put down the object in hand").target == named(kitchen, "Egg")  # a drop
    assert skills.execute(kitchen, "open the Safe").target is None  # nothing to act on
