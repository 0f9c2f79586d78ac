"""The privileged planner: a short skill sequence that reaches the goal from the current state.

It is world knowledge (it reads hidden state), so it lives with the simulator and reaches agents only
through ``info["expert_action"]``. It replans from whatever state it is given, so it recovers after an
agent's detours: a wrong object in hand is dropped, shut containers are opened, an object already
heated is not heated again. Choices (which instance, which receptacle) are tried cheapest first and
every plan is executed on a copy of the world before it is returned, so a plan that would fail is
never handed out.
"""

from __future__ import annotations

from envs.household import goals, skills
from envs.household.lookahead import (PlanFailure, Pred, Sim, acquire, articulate, deliver, expose, goto, shut,
                                      switch_on)
from envs.household.vocab import DROP, KNIVES
from envs.household.world import World
from envs.task import Task

__all__ = ["PlanFailure", "plan", "next_action"]
TREATMENTS = {"pick_clean_then_place_in_recep": "clean", "pick_heat_then_place_in_recep": "hot",
              "pick_cool_then_place_in_recep": "cold"}
APPLIANCE = {"hot": "Microwave", "cold": "Fridge", "clean": "SinkBasin"}


# ---- task stages -------------------------------------------------------------------------------
def ensure_sliced(sim: Sim, cls: str) -> None:
    """Cut one ``cls`` with a knife if no slice of it exists yet, and free the hand."""
    if sim.w.by_class(cls + "Sliced"):
        return
    acquire(sim, lambda i: sim.w.objects[i].cls in KNIVES)

    def cut(target: int) -> None:
        goto(sim, target)
        expose(sim, target)
        if skills.best(sim.w, skills.candidates(sim.w, cls), False, False, prefer_focus=True) != target:
            raise PlanFailure("another instance is nearer")
        sim.do(f"slice the {cls}")
        sim.do(DROP)

    sim.first(list(sim.w.by_class(cls)), cut, f"no {cls} can be sliced")


def _run_appliance(sim: Sim, a: int, flag: str) -> None:
    w = sim.w
    if flag == "hot":
        if w.objects[a].is_open:
            articulate(sim, a, "close")
        switch_on(sim, a)
    elif flag == "cold":
        if not w.objects[a].is_open:
            articulate(sim, a, "open")
        articulate(sim, a, "close")
    else:
        faucets = [i for i in w.by_class("Faucet") if w.objects[i].toggleable]
        if not faucets:
            raise PlanFailure("no faucet")
        switch_on(sim, skills.best(w, faucets, prefer_visible=True, prefer_slices=False))


def treat_then_place(sim: Sim, is_target: Pred, is_parent: Pred, flag: str) -> None:
    """Heat, cool or clean a target object, then put that same object in the parent."""
    w = sim.w
    treated = [i for i in range(len(w.objects)) if is_target(i) and getattr(w.objects[i], flag)]
    if treated:
        sim.first(treated, lambda c: (acquire(sim, lambda i: i == c), deliver(sim, is_parent)),
                  "no treated object can be placed")
        return
    appliances = [i for i in w.by_class(APPLIANCE[flag]) if w.objects[i].pose is not None]
    targets = [i for i in range(len(w.objects)) if is_target(i)]
    held = w.agent.held
    targets.sort(key=lambda i: (i != held, i))

    def run(choice: tuple[int, int]) -> None:
        c, a = choice
        if sim.w.objects[c].parent != a:
            acquire(sim, lambda i: i == c)
            deliver(sim, lambda r: r == a)
        else:
            goto(sim, c)
        _run_appliance(sim, a, flag)
        if not getattr(sim.w.objects[c], flag):
            raise PlanFailure("the appliance did not act on the object")
        acquire(sim, lambda i: i == c)
        deliver(sim, is_parent)

    sim.first([(c, a) for c in targets for a in appliances], run, f"no {APPLIANCE[flag]} can {flag} a target")


def place_two(sim: Sim, is_target: Pred, is_parent: Pred) -> None:
    w = sim.w
    parents = [o.idx for o in w.objects if o.alive and o.interactive and is_parent(o.idx) and o.pose is not None]
    count = {p: sum(1 for c in w.children(p) if is_target(c)) for p in parents}

    def fill(p: int) -> None:
        if sum(1 for c in sim.w.children(p) if is_target(c)) >= 2:
            return
        # The order matters: EB-ALFRED's pick takes the nearest instance in view, so the object
        # already placed can shadow one stored just above it.
        rest = [i for i in range(len(sim.w.objects)) if is_target(i) and sim.w.objects[i].parent != p]
        rest.sort(key=lambda i: (sum(shut(sim.w, a) for a in sim.w.ancestors(i)), i))
        sim.first(rest, lambda c: (acquire(sim, lambda i: i == c), deliver(sim, lambda r: r == p), fill(p)),
                  "no order of objects fills the parent")

    sim.first(sorted(parents, key=lambda p: (-count[p], p)), fill, "no parent can take two objects")


def light_up(sim: Sim, lamp_cls: str) -> None:
    """Have a lamp of ``lamp_cls`` on and in view."""
    w = sim.w
    lamps = w.by_class(lamp_cls)
    if any(w.objects[i].is_on and w.visible(i) for i in lamps):
        return

    def go(lamp: int) -> None:
        goto(sim, lamp)
        if not sim.w.objects[lamp].is_on:
            switch_on(sim, lamp)

    sim.first(sorted(lamps, key=lambda i: (not w.objects[i].is_on, i)), go, "no lamp can be turned on in view")


def stack_and_place(sim: Sim, task: Task, is_target: Pred, is_parent: Pred) -> None:
    """Object into a movable receptacle, and that receptacle into the parent."""
    w = sim.w

    def is_mrecep(i: int) -> bool:
        o = sim.w.objects[i]
        return o.alive and o.cls == task.mrecep_target

    loaded = [m for m in range(len(w.objects)) if is_mrecep(m) and any(is_target(c) for c in w.children(m))]
    if loaded:
        sim.first(loaded, lambda m: (acquire(sim, lambda i: i == m), deliver(sim, is_parent)),
                  "no loaded receptacle can be placed")
        return

    def via(m: int) -> None:
        acquire(sim, lambda i: is_target(i) and not sim.w.parent_in(i, is_mrecep))
        deliver(sim, lambda r: r == m)
        acquire(sim, lambda i: i == m)
        deliver(sim, is_parent)

    sim.first([m for m in range(len(w.objects)) if is_mrecep(m)], via, "no movable receptacle works")


def _plan_task(sim: Sim, task: Task) -> None:
    if task.object_sliced:
        ensure_sliced(sim, task.object_target)

    def is_target(i: int) -> bool:
        o = sim.w.objects[i]
        return o.alive and o.cls == task.target_class and (task.object_instance is None or o.id == task.object_instance)

    def is_parent(i: int) -> bool:
        o = sim.w.objects[i]
        return o.cls == task.parent_target and (task.parent_instance is None or o.id == task.parent_instance)

    t = task.type
    if t == "pick_and_place_simple":
        acquire(sim, lambda i: is_target(i) and not sim.w.parent_in(i, is_parent))
        deliver(sim, is_parent)
    elif t == "pick_two_obj_and_place":
        place_two(sim, is_target, is_parent)
    elif t == "look_at_obj_in_light":
        acquire(sim, is_target)
        light_up(sim, task.toggle_target)
    elif t == "pick_and_place_with_movable_recep":
        stack_and_place(sim, task, is_target, is_parent)
    else:
        treat_then_place(sim, is_target, is_parent, TREATMENTS[t])


def plan(world: World, task: Task, action_names) -> list[str]:
    """The skills, in order, that reach ``task``'s goal from ``world`` (empty when it is reached)."""
    if goals.satisfied(world, task):
        return []
    sim = Sim(world, frozenset(action_names))
    _plan_task(sim, task)
    if not goals.satisfied(sim.w, task):
        raise PlanFailure("the plan ran but the goal is not met")
    return sim.actions


def next_action(world: World, task: Task, action_names) -> str | None:
    """The first skill of the plan, or ``None`` when the goal is reached or out of reach."""
    try:
        actions = plan(world, task, action_names)
    except PlanFailure:
        return None
    return actions[0] if actions else None
