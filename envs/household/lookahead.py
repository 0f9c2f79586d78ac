"""Moves the planner tries out on a copy of the world: walking up to an instance, opening what shuts
it in, picking it up, putting it somewhere. Each either succeeds in the simulation or raises
``PlanFailure``, and ``Sim.attempt``/``Sim.first`` roll a failed branch back.

EB-ALFRED's skills address objects by class name, so reaching one particular instance takes care:
``find a Sink`` goes to the nearest basin and ``pick up the Egg`` takes the nearest egg in view.
These helpers search the episode's own action names for the ones that reach the wanted instance.
"""

from __future__ import annotations

from typing import Callable, Iterable

from envs.household import skills
from envs.household.vocab import DROP, PUT_DOWN, base_class, name_of_class
from envs.household.world import CAPACITY, World

Pred = Callable[[int], bool]


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


def shut(w: World, idx: int) -> bool:
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


def articulate(sim: Sim, idx: int, verb: str) -> None:
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
        if shut(sim.w, a):
            articulate(sim, a, "open")


def switch_on(sim: Sim, appliance: int) -> None:
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
    closed = {c: sum(shut(sim.w, a) for a in sim.w.ancestors(c)) for c in cands}
    order = sorted(cands, key=lambda c: (closed[c], c))
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
    if shut(sim.w, r):
        articulate(sim, r, "open")
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
        return (int(not here) + shut(w, r) + sum(shut(w, a) for a in w.ancestors(r)), r)

    sim.first(sorted(cands, key=cost), lambda r: _put_into(sim, r), f"no receptacle takes the {hcls}")
