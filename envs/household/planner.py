"""The privileged planner: a short skill sequence that reaches the goal from the current state.

It is world knowledge (it reads hidden state), so it lives with the simulator and reaches agents only
through ``info["expert_action"]``. It replans from whatever state it is given, so it recovers after an
agent's detours: a wrong object in hand is dropped, shut containers are opened, an object already
heated is not heated again. Choices (which instance, which receptacle) are tried cheapest first and
every plan is executed on a copy of the world before it is returned, so a plan that would fail is
never handed out.
"""

from __future__ import annotations

from typing import Callable, Iterable

from envs.household import goals, skills
from envs.household.vocab import DROP, KNIVES, PUT_DOWN, base_class, name_of_class
from envs.household.world import CAPACITY, World
from envs.task import Task

Pred = Callable[[int], bool]
TREATMENTS = {"pick_clean_then_place_in_recep": "clean", "pick_heat_then_place_in_recep": "hot",
              "pick_cool_then_place_in_recep": "cold"}
APPLIANCE = {"hot": "Microwave", "cold": "Fridge", "clean": "SinkBasin"}


class PlanFailure(Exception):
    """No plan from this state (the task needs something the world no longer has)."""


class Sim:
    """A copy of the world that records the actions it runs; any failing action aborts the branch."""

    def __init__(self, world: World, allowed: frozenset[str]):
        self.w, self.allowed, self.actions = world.copy(), allowed, []

    def do(self, action: str) -> None:
        if action not in self.allowed:
            raise PlanFailure(f"{action!r} is not in this episode's action list")
        out = skills.execute(self.w, action)
        if not out.success:
            raise PlanFailure(f"{action!r} failed in simulation: {out.feedback}")
        self.actions.append(action)

    def attempt(self, step: Callable[[], None]) -> bool:
        """Run ``step``; if it fails, put the simulation back as it was."""
        saved = (self.w.copy(), list(self.actions))
        try:
            step()
            return True
        except PlanFailure:
            self.w, self.actions = saved
            return False

    def first(self, options: Iterable, step: Callable, what: str) -> None:
        """Commit to the first option for which ``step(option)`` succeeds."""
        for option in options:
            if self.attempt(lambda: step(option)):
                return
        raise PlanFailure(what)

    def probe_find(self, name: str, idx: int, as_receptacle: bool = False) -> float | None:
        """Distance to ``idx`` after ``find a <name>`` if that reaches it, else ``None``.
        Finding only moves the agent, so the probe restores the agent and nothing else."""
        action = f"find a {name}"
        if action not in self.allowed:
            return None
        saved = self.w.agent.copy()
        ok = skills.execute(self.w, action).success and self.w.in_reach(idx)
        if as_receptacle:
            ok = ok and self.w.agent.cur_receptacle == idx
        dist = self.w.distance(idx)
        self.w.agent = saved
        return dist if ok else None

    def nearby_finds(self, idx: int, exclude: list[str], limit: int = 6) -> list[str]:
        """Other find targets of the episode whose pose reaches ``idx``, closest first (EB-ALFRED's
        pick takes the nearest instance in view, so standing closer can single an instance out)."""
        found = []
        for action in sorted(self.allowed):
            name = action.removeprefix("find a ")
            if action.startswith("find a ") and name not in exclude:
                d = self.probe_find(name, idx)
                if d is not None:
                    found.append((d, name))
        return [name for _, name in sorted(found)[:limit]]


# ---- moving and reaching -----------------------------------------------------------------------
def _names(w: World, idx: int) -> list[str]:
    """Find targets that naturally lead to ``idx``: its own name, its class, its furniture."""
    o = w.objects[idx]
    names = [o.name, name_of_class(base_class(o.cls))]
    anchor = w.static_anchor(idx)
    if anchor is not None:
        names.append(w.objects[anchor].name)
    return list(dict.fromkeys(names))


def _shut(w: World, idx: int) -> bool:
    o = w.objects[idx]
    return o.openable and not o.is_open and o.cls in w.rules.openable


def goto(sim: Sim, idx: int, as_receptacle: bool = False) -> None:
    """Stand where ``idx`` is in reach (and, ``as_receptacle``, is where "put down" puts)."""
    w = sim.w
    if (w.agent.cur_receptacle == idx or not as_receptacle) and w.in_reach(idx) and not w.is_held(idx):
        return
    names = _names(w, idx)

    def direct() -> None:
        for name in names:
            if sim.probe_find(name, idx, as_receptacle) is not None:
                sim.do(f"find a {name}")
                return
        raise PlanFailure(f"no find action reaches {sim.w.objects[idx].id}")

    def hop(first: str) -> None:
        # "find a Sink" goes to the nearest basin: stand near the wanted one first.
        sim.do(f"find a {first}")
        if as_receptacle or not sim.w.in_reach(idx):
            direct()

    if not sim.attempt(direct):
        sim.first(sim.nearby_finds(idx, exclude=names), hop, f"no find action reaches {w.objects[idx].id}")


def _articulate(sim: Sim, idx: int, verb: str) -> None:
    """``open``/``close`` by a name that addresses exactly ``idx``."""
    o = sim.w.objects[idx]
    for name in dict.fromkeys([o.name, o.cls]):
        if f"{verb} the {name}" in sim.allowed and skills.resolve(sim.w, name) == idx:
            sim.do(f"{verb} the {name}")
            return
    raise PlanFailure(f"no {verb} action reaches {o.id}")


def expose(sim: Sim, idx: int) -> None:
    """Open every shut container around ``idx``, outermost first."""
    for a in reversed(sim.w.ancestors(idx)):
        if _shut(sim.w, a):
            _articulate(sim, a, "open")


def _switch_on(sim: Sim, appliance: int) -> None:
    """Turn an appliance on so that it acts now (off and on again if it is already running)."""
    w = sim.w
    name = name_of_class(w.objects[appliance].cls)
    idxs = [i for i in skills.candidates(w, name) if w.objects[i].toggleable]
    if skills.best(w, idxs, prefer_visible=True, prefer_slices=False) != appliance:
        raise PlanFailure(f"turning on the {name} would not reach {w.objects[appliance].id}")
    if w.objects[appliance].is_on:
        sim.do(f"turn off the {name}")
    sim.do(f"turn on the {name}")


# ---- hands -------------------------------------------------------------------------------------
def _pick_name(w: World, idx: int) -> str:
    return name_of_class(base_class(w.objects[idx].cls))


def _would_pick(w: World, name: str) -> int | None:
    idxs = [i for i in skills.candidates(w, name) if w.objects[i].pickupable and not w.is_held(i)]
    i = skills.best(w, idxs, prefer_visible=True, prefer_slices=w.agent.sliced_flag, prefer_focus=True)
    return i if i is not None and w.visible(i) else None


def _pick_via(sim: Sim, c: int, route: str | None, pred: Pred) -> None:
    """Walk to ``c`` by ``find a <route>`` (or stay), open what shuts it in, and pick it up."""
    if route is not None:
        if sim.probe_find(route, c) is None:
            raise PlanFailure("that find does not reach it")
        sim.do(f"find a {route}")
    expose(sim, c)
    name = _pick_name(sim.w, c)
    chosen = _would_pick(sim.w, name)
    if chosen is None or not pred(chosen):
        raise PlanFailure("another instance is in the way")
    sim.do(f"pick up the {name}")


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
    shut = {c: sum(_shut(sim.w, a) for a in sim.w.ancestors(c)) for c in cands}
    order = sorted(cands, key=lambda c: (shut[c], c))
    # Stay if that reaches it, else walk up to it by its own name; only when another instance keeps
    # being picked instead, try the episode's other poses near it.
    routes = [(c, r) for c in order for r in ([None] if sim.w.in_reach(c) else []) + _names(sim.w, c)]
    if sim.attempt(lambda: sim.first(routes, lambda cr: _pick_via(sim, cr[0], cr[1], pred), "")):
        return
    wide = [(c, r) for c in order for r in sim.nearby_finds(c, exclude=_names(sim.w, c))]
    sim.first(wide, lambda cr: _pick_via(sim, cr[0], cr[1], pred), "no reachable object satisfies the goal")


def _put_into(sim: Sim, r: int) -> None:
    goto(sim, r, as_receptacle=True)
    expose(sim, r)
    if _shut(sim.w, r):
        _articulate(sim, r, "open")
    sim.do(PUT_DOWN)


def deliver(sim: Sim, pred: Pred) -> None:
    """Put the held object into a receptacle satisfying ``pred``, cheapest first."""
    w = sim.w
    held = w.agent.held
    if held is None:
        raise PlanFailure("nothing in hand to deliver")
    hcls = w.objects[held].cls
    cands = [o.idx for o in w.objects if o.alive and o.receptacle and o.interactive and pred(o.idx)
             and w.rules.can_hold(o.cls, hcls) and not w.is_held(o.idx)
             and len(w.children(o.idx)) < CAPACITY.get(o.cls, 99)]

    def cost(r: int):
        here = w.agent.cur_receptacle == r and w.in_reach(r)
        return (int(not here) + _shut(w, r) + sum(_shut(w, a) for a in w.ancestors(r)), r)

    sim.first(sorted(cands, key=cost), lambda r: _put_into(sim, r), f"no receptacle takes the {hcls}")


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
            _articulate(sim, a, "close")
        _switch_on(sim, a)
    elif flag == "cold":
        if not w.objects[a].is_open:
            _articulate(sim, a, "open")
        _articulate(sim, a, "close")
    else:
        faucets = [i for i in w.by_class("Faucet") if w.objects[i].toggleable]
        if not faucets:
            raise PlanFailure("no faucet")
        _switch_on(sim, skills.best(w, faucets, prefer_visible=True, prefer_slices=False))


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
        rest.sort(key=lambda i: (sum(_shut(sim.w, a) for a in sim.w.ancestors(i)), i))
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
            _switch_on(sim, lamp)

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
