"""ALFRED's goal conditions and progress counts for every task type, checked on real states."""

from envs.household import goals, skills
from envs.household.world import FLOOR
from envs.task import Task

from .conftest import default_world, named


def task(type_, **kw) -> Task:
    return Task(id="t", type=type_, subset="base", instruction="", floorplan=1, seed=0, **kw)


def put(world, obj: str, recep: str) -> None:
    """Move an object straight into a receptacle (the goal checker reads only the state)."""
    o, r = named(world, obj), named(world, recep)
    world.move_to(o, r, world.objects[r].center)


def test_simple(kitchen):
    t = task("pick_and_place_simple", object_target="Apple", parent_target="Fridge")
    assert goals.conditions_met(kitchen, t) == (0, 1) and goals.progress(kitchen, t) == 0.0
    put(kitchen, "Apple", "Fridge")
    assert goals.conditions_met(kitchen, t) == (1, 1) and goals.satisfied(kitchen, t)


def test_simple_sliced_counts_the_slice(kitchen):
    t = task("pick_and_place_simple", object_target="Apple", parent_target="Fridge", object_sliced=True)
    assert goals.conditions_met(kitchen, t) == (0, 2)
    put(kitchen, "Apple", "Fridge")  # the whole apple does not count
    assert goals.conditions_met(kitchen, t) == (0, 2)
    for a in ("find a Drawer_3", "open the Drawer_3", "pick up the Knife", "find a Apple", "open the Fridge",
              "slice the Apple"):
        assert skills.execute(kitchen, a).success, a
    assert goals.conditions_met(kitchen, t) == (2, 2)  # slices lie where the apple was: in the fridge


def test_two_objects_must_share_one_receptacle(kitchen):
    t = task("pick_two_obj_and_place", object_target="Vase", parent_target="CounterTop")
    assert goals.conditions_met(kitchen, t) == (0, 2)
    put(kitchen, "Vase", "CounterTop")
    put(kitchen, "Vase_2", "CounterTop_2")
    assert goals.conditions_met(kitchen, t) == (1, 2)  # two counters, one vase each
    put(kitchen, "Vase_2", "CounterTop")
    assert goals.conditions_met(kitchen, t) == (2, 2)


def test_two_objects_sliced_needs_two_slices():
    t = task("pick_two_obj_and_place", object_target="Apple", parent_target="CounterTop", object_sliced=True)
    world = default_world(1)
    assert goals.conditions_met(world, t) == (0, 4)


def test_look_at_object_in_light():
    world = default_world(201)
    lamp = next(o for o in world.objects if o.cls in ("DeskLamp", "FloorLamp"))
    obj = next(o for o in world.objects if o.pickupable and o.interactive and o.cls not in ("Box",))
    t = task("look_at_obj_in_light", object_target=obj.cls, toggle_target=lamp.cls)
    assert goals.conditions_met(world, t) == (0, 2)
    world.agent.held, obj.parent = obj.idx, None
    assert goals.conditions_met(world, t) == (1, 2)
    assert skills.execute(world, f"find a {lamp.name}").success
    lamp.is_on = True
    assert goals.conditions_met(world, t) == (2, 2)
    world.agent.x += 50  # the lamp must be in view
    assert goals.conditions_met(world, t) == (1, 2)


def test_heat_cool_clean_need_the_same_object_treated_and_placed(kitchen):
    for type_, flag in (("pick_heat_then_place_in_recep", "hot"), ("pick_cool_then_place_in_recep", "cold"),
                        ("pick_clean_then_place_in_recep", "clean")):
        world = default_world(1)
        t = task(type_, object_target="Vase", parent_target="CounterTop")
        v1, v2 = named(world, "Vase"), named(world, "Vase_2")
        assert goals.conditions_met(world, t) == (0, 3)
        setattr(world.objects[v1], flag, True)
        assert goals.conditions_met(world, t) == (1, 3)
        put(world, "Vase_2", "CounterTop")
        assert goals.conditions_met(world, t) == (2, 3)  # one treated, another placed
        put(world, "Vase", "CounterTop")
        assert goals.conditions_met(world, t) == (3, 3)
        assert world.objects[v2].parent == named(world, "CounterTop")


def test_movable_receptacle():
    t = task("pick_and_place_with_movable_recep", object_target="Fork", parent_target="DiningTable",
             mrecep_target="Cup")
    world = default_world(4)  # a kitchen with a dining table, a cup and a fork
    cup = next(o.idx for o in world.objects if o.cls == "Cup")
    fork = next(o.idx for o in world.objects if o.cls == "Fork")
    table = next(o.idx for o in world.objects if o.cls == "DiningTable")
    assert goals.conditions_met(world, t) == (0, 3)
    world.move_to(fork, cup, world.objects[cup].center)
    assert goals.conditions_met(world, t) == (1, 3)
    world.move_to(cup, table, world.objects[table].center)
    assert goals.conditions_met(world, t) == (3, 3)
    world.move_to(fork, FLOOR, (0, 0, 0))
    assert goals.conditions_met(world, t) == (1, 3)


def test_parent_instance_binding_requires_that_instance(kitchen):
    cab, cab2 = named(kitchen, "Cabinet"), named(kitchen, "Cabinet_2")
    t = task("pick_and_place_simple", object_target="Apple", parent_target="Cabinet",
             parent_instance=kitchen.objects[cab2].id)
    put(kitchen, "Apple", "Cabinet")
    assert goals.conditions_met(kitchen, t) == (0, 1)
    put(kitchen, "Apple", "Cabinet_2")
    assert goals.conditions_met(kitchen, t) == (1, 1)
    assert kitchen.objects[cab].id != kitchen.objects[cab2].id


def test_goal_conditions_text_matches_the_count():
    for type_, kw in [("pick_and_place_simple", {}), ("pick_two_obj_and_place", {"object_sliced": True}),
                      ("look_at_obj_in_light", {"toggle_target": "DeskLamp"}),
                      ("pick_heat_then_place_in_recep", {"object_sliced": True}),
                      ("pick_and_place_with_movable_recep", {"mrecep_target": "Bowl"})]:
        t = task(type_, object_target="Apple", parent_target="CounterTop", **kw)
        assert len(t.goal_conditions) == goals.conditions_met(default_world(1), t)[1]
