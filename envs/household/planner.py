"""The privileged planner: the shortest skill sequence that reaches the goal from the current state.

It is world knowledge (it reads hidden state), so it lives with the simulator and reaches agents only
through ``info["expert_action"]``. It replans from whatever state it is given, so it recovers after an
agent's detours: a wrong object in hand is dropped, shut containers are opened, an object already
heated is not heated again. Every plan is executed on a copy of the world before it is returned, so
a plan that would fail is never handed out.
"""

from __future__ import annotations

from typing import Callable

from envs.household import goals, skills
from envs.household.vocab import DROP, KNIVES, PUT_DOWN, base_class, name_of_class
from envs.household.world import CAPACITY, World
from envs.task import Task

Pred = Callable[[int], bool]


class PlanFailure(Exception):
    """No plan from this state (the task needs something the world no longer has)."""


class Sim:
    """A copy of the world that records the actions it runs; any failing action is a planning bug."""

    def __init__(self, world: World, allowed: frozenset[str]):
        self.w, self.allowed, self.actions = world.copy(), allowed, []

    def do(self, action: str) -> None:
        if action not in self.allowed:
            raise PlanFailure(f"{action!r} is not in this episode's action list")
        out = skills.execute(self.w, action)
        if not out.success:
            raise PlanFailure(f"{action!r} failed in simulation: {out.feedback}")
        self.actions.append(action)

    def try_find(self, name: str, idx: int, as_receptacle: bool) -> bool:
        """Would ``find a <name>`` bring ``idx`` into reach (and make it the put target)?"""
        action = f"find a {name}"
        if action not in self.allowed:
            return False
        saved = self.w.agent.copy()
        ok = skills.execute(self.w, action).success and self.w.in_reach(idx)
        if as_receptacle:
            ok = ok and self.w.agent.cur_receptacle == idx
        self.w.agent = saved
        return ok


# ---- stages ------------------------------------------------------------------------------------
def _names(w: World, idx: int) -> list[str]:
    o = w.objects[idx]
    names = [o.name, name_of_class(base_class(o.cls))]
    anchor = w.static_anchor(idx)
    if anchor is not None:
        names.append(w.objects[anchor].name)
    return list(dict.fromkeys(names))


def goto(sim: Sim, idx: int, as_receptacle: bool = False) -> None:
    w = sim.w
    if (w.agent.cur_receptacle == idx or not as_receptacle) and w.in_reach(idx) and not w.is_held(idx):
        return
    for name in _names(w, idx):
        if sim.try_find(name, idx, as_receptacle):
            sim.do(f"find a {name}")
            return
    raise PlanFailure(f"no find action reaches {w.objects[idx].id}")


def expose(sim: Sim, idx: int) -> None:
    """Open every shut container around ``idx``, outermost first."""
    w = sim.w
    for a in reversed(w.ancestors(idx)):
        o = w.objects[a]
        if not (o.openable and not o.is_open and o.cls in w.rules.openable):
            continue
        for name in dict.fromkeys([o.name, o.cls]):
            if f"open the {name}" in sim.allowed and skills.resolve(w, name) == a:
                sim.do(f"open the {name}")
                break
        else:
            raise PlanFailure(f"no open action reaches {o.id}")


def _pick_name(w: World, idx: int) -> str:
    return name_of_class(base_class(w.objects[idx].cls))


def _would_pick(w: World, name: str) -> int | None:
    idxs = [i for i in skills.candidates(w, name) if w.objects[i].pickupable and not w.is_held(i)]
    i = skills.best(w, idxs, prefer_visible=True, prefer_slices=w.agent.sliced_flag)
    return i if i is not None and w.visible(i) else None


def acquire(sim: Sim, pred: Pred) -> None:
    """Get an object satisfying ``pred`` into the hand, by the fewest actions."""
    w = sim.w
    if w.agent.held is not None and pred(w.agent.held):
        return
    cands = [o.idx for o in w.objects if o.alive and o.pickupable and o.interactive and pred(o.idx)
             and not w.is_held(o.idx)]
    if not cands:
        raise PlanFailure("nothing to pick up satisfies the goal")
    if w.agent.held is not None:
        sim.do(DROP)
    for c in cands:  # free: one in view that a plain "pick up" would take
        name = _pick_name(w, c)
        chosen = _would_pick(w, name)
        if chosen is not None and pred(chosen):
            sim.do(f"pick up the {name}")
            return
    cost = {c: len([a for a in w.ancestors(c) if w.objects[a].openable and not w.objects[a].is_open]) for c in cands}
    for c in sorted(cands, key=lambda c: (cost[c], c)):
        saved = (w.copy(), list(sim.actions))
        try:
            goto(sim, c)
            expose(sim, c)
            name = _pick_name(w, c)
            chosen = _would_pick(w, name)
            if chosen is None or not pred(chosen):
                raise PlanFailure("another instance is in the way")
            sim.do(f"pick up the {name}")
            return
        except PlanFailure:
            sim.w, sim.actions = saved
            w = sim.w
    raise PlanFailure("no reachable object satisfies the goal")


def deliver(sim: Sim, pred: Pred) -> None:
    """Put the held object into a receptacle satisfying ``pred``."""
    w = sim.w
    held = w.agent.held
    if held is None:
        raise PlanFailure("nothing in hand to deliver")
    hcls = w.objects[held].cls
    cands = [o.idx for o in w.objects if o.alive and o.receptacle and o.interactive and pred(o.idx)
             and w.rules.can_hold(o.cls, hcls) and not w.is_held(o.idx)
             and len(w.children(o.idx)) < CAPACITY.get(o.cls, 99)]

    def cost(r):
        o = w.objects[r]
        shut = o.openable and not o.is_open and o.cls in w.rules.openable
        here = w.agent.cur_receptacle == r and w.visible(r)
        return (int(not here) + int(shut) + len([a for a in w.ancestors(r) if w.objects[a].openable
                                                 and not w.objects[a].is_open]), r)

    for r in sorted(cands, key=cost):
        saved = (w.copy(), list(sim.actions))
        try:
            goto(sim, r, as_receptacle=True)
            expose(sim, r)
            o = w.objects[r]
            if o.openable and not o.is_open and o.cls in w.rules.openable:
                _open(sim, r)
            sim.do(PUT_DOWN)
            return
        except PlanFailure:
            sim.w, sim.actions = saved
            w = sim.w
    raise PlanFailure(f"no receptacle takes the {hcls}")


def _open(sim: Sim, idx: int) -> None:
    o = sim.w.objects[idx]
    for name in dict.fromkeys([o.name, o.cls]):
        if f"open the {name}" in sim.allowed and skills.resolve(sim.w, name) == idx:
            sim.do(f"open the {name}")
            return
    raise PlanFailure(f"no open action reaches {o.id}")


def _close(sim: Sim, idx: int) -> None:
    o = sim.w.objects[idx]
    for name in dict.fromkeys([o.name, o.cls]):
        if f"close the {name}" in sim.allowed and skills.resolve(sim.w, name) == idx:
            sim.do(f"close the {name}")
            return
    raise PlanFailure(f"no close action reaches {o.id}")


def _switch_on(sim: Sim, appliance: int) -> None:
    """Turn an appliance on so that it acts now (off and on again if it is already running)."""
    w = sim.w
    name = name_of_class(w.objects[appliance].cls)
    idxs = [i for i in skills.candidates(w, name) if w.objects[i].toggleable]
    if skills.best(w, idxs, prefer_visible=False, prefer_slices=False) != appliance:
        raise PlanFailure(f"turning on the {name} would not reach {w.objects[appliance].id}")
    if w.objects[appliance].is_on:
        sim.do(f"turn off the {name}")
    sim.do(f"turn on the {name}")


def treat(sim: Sim, pred: Pred, flag: str) -> None:
    """Heat (microwave), cool (fridge) or clean (sink) one object satisfying ``pred``."""
    w = sim.w
    appliance_cls = {"hot": "Microwave", "cold": "Fridge", "clean": "SinkBasin"}[flag]
    appliances = [i for i in w.by_class(appliance_cls) if w.objects[i].pose is not None]
    for a in appliances:
        saved = (w.copy(), list(sim.actions))
        try:
            inside = [o for o in w.descendants(a) if pred(o)]
            if not inside:
                acquire(sim, pred)
                deliver(sim, lambda r, a=a: r == a)
            else:
                goto(sim, inside[0])
            target = next(o for o in sim.w.descendants(a) if pred(o))
            _run_appliance(sim, a, flag)
            if not getattr(sim.w.objects[target], flag):
                raise PlanFailure("the appliance did not act on the object")
            return
        except PlanFailure:
            sim.w, sim.actions = saved
            w = sim.w
    raise PlanFailure(f"no {appliance_cls} can {flag} the object")


def _run_appliance(sim: Sim, a: int, flag: str) -> None:
    w = sim.w
    if flag == "hot":
        if w.objects[a].is_open:
            _close(sim, a)
        _switch_on(sim, a)
    elif flag == "cold":
        if not w.objects[a].is_open:
            _open(sim, a)
        _close(sim, a)
    else:
        faucets = w.by_class("Faucet")
        if not faucets:
            raise PlanFailure("no faucet")
        nearest = skills.best(w, [i for i in faucets if w.objects[i].toggleable], False, False)
        _switch_on(sim, nearest)


def ensure_sliced(sim: Sim, cls: str) -> None:
    """Cut one ``cls`` with a knife if no slice of it exists yet, and free the hand."""
    w = sim.w
    if w.by_class(cls + "Sliced"):
        return
    acquire(sim, lambda i: sim.w.objects[i].cls in KNIVES)
    w = sim.w
    for target in w.by_class(cls):
        saved = (w.copy(), list(sim.actions))
        try:
            goto(sim, target)
            expose(sim, target)
            victim = skills.best(sim.w, skills.candidates(sim.w, cls), False, False)
            if victim != target:
                raise PlanFailure("another instance is nearer")
            sim.do(f"slice the {cls}")
            sim.do(DROP)
            return
        except PlanFailure:
            sim.w, sim.actions = saved
            w = sim.w
    raise PlanFailure(f"no {cls} can be sliced")


# ---- task routines -----------------------------------------------------------------------------
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
        _plan_two(sim, is_target, is_parent)
    elif t == "look_at_obj_in_light":
        acquire(sim, is_target)
        _plan_light(sim, task.toggle_target)
    elif t == "pick_and_place_with_movable_recep":
        _plan_movable(sim, task, is_target, is_parent)
    else:
        flag = {"pick_clean_then_place_in_recep": "clean", "pick_heat_then_place_in_recep": "hot",
                "pick_cool_then_place_in_recep": "cold"}[t]
        done = [i for i in range(len(sim.w.objects)) if is_target(i) and getattr(sim.w.objects[i], flag)]
        if not done:
            held = sim.w.agent.held
            treat(sim, lambda i: is_target(i) and (held is None or not is_target(held) or i == held), flag)
        acquire(sim, lambda i: is_target(i) and getattr(sim.w.objects[i], flag))
        deliver(sim, is_parent)


def _plan_two(sim: Sim, is_target: Pred, is_parent: Pred) -> None:
    w = sim.w
    parents = [o.idx for o in w.objects if o.alive and o.interactive and is_parent(o.idx) and o.pose is not None]
    count = {p: sum(1 for c in w.children(p) if is_target(c)) for p in parents}
    for p in sorted(parents, key=lambda p: (-count[p], p)):
        saved = (w.copy(), list(sim.actions))
        try:
            while sum(1 for c in sim.w.children(p) if is_target(c)) < 2:
                acquire(sim, lambda i: is_target(i) and sim.w.objects[i].parent != p)
                deliver(sim, lambda r, p=p: r == p)
            return
        except PlanFailure:
            sim.w, sim.actions = saved
            w = sim.w
    raise PlanFailure("no parent can take two objects")


def _plan_light(sim: Sim, lamp_cls: str) -> None:
    w = sim.w
    lamps = w.by_class(lamp_cls)
    if any(w.objects[i].is_on and w.visible(i) for i in lamps):
        return
    for lamp in sorted(lamps, key=lambda i: (not w.objects[i].is_on, i)):
        saved = (w.copy(), list(sim.actions))
        try:
            goto(sim, lamp)
            if not sim.w.objects[lamp].is_on:
                _switch_on(sim, lamp)
            return
        except PlanFailure:
            sim.w, sim.actions = saved
            w = sim.w
    raise PlanFailure("no lamp can be turned on in view")


def _plan_movable(sim: Sim, task: Task, is_target: Pred, is_parent: Pred) -> None:
    w = sim.w

    def is_mrecep(i: int) -> bool:
        return sim.w.objects[i].alive and sim.w.objects[i].cls == task.mrecep_target

    def loaded(i: int) -> bool:
        return is_mrecep(i) and any(is_target(c) for c in sim.w.children(i))

    if not any(loaded(i) for i in range(len(w.objects))):
        acquire(sim, lambda i: is_target(i) and not sim.w.parent_in(i, is_mrecep))
        deliver(sim, is_mrecep)
    acquire(sim, loaded)
    deliver(sim, is_parent)


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
