"""The queries of the grounding data (``synth.grounding``): for one frame and its world, every phrase
of each kind together with the objects it refers to.

Query kinds (column ``kind``; column ``form`` says which phrase was used):

- ``interaction``: "Locate the objects the hand is interacting with." -- the object in hand, and after a
  successful pick up / put / open / close / turn on / turn off / slice also the object acted on and
  what the step moved or made (the object put down, the slices cut).
- ``class``: "Locate the <Class>." -- every visible instance of the class, left to right.
- ``referring``: a phrase true of exactly one visible instance: its EB-style name ("Locate Cabinet_2."),
  where it is in the view (leftmost, rightmost, nearest, biggest), its state (open, closed, switched
  on or off, in my hand) or what it rests in or on.
- ``empty``: EARL's no-target case: an absent class, an absent named instance, or a state no visible
  instance has ("the open fridge" with only a closed one in view).

Each writer returns ``(form, query, mask ids)`` triples; mask id k is object k - 1 of the world.
"""

from __future__ import annotations

import re

import numpy as np

from envs.household.annotations import box_of
from envs.household.language import noun
from envs.household.palette import PALETTE
from envs.household.scenegraph import OPEN_FRONT
from envs.household.spatial import prep
from envs.household.vocab import base_class, name_of_class
from envs.household.world import FLOOR, World
from synth.episodes import SynthEpisode

INTERACTION_QUERY = "Locate the objects the hand is interacting with."
MANIPULATIONS = ("pick up ", "put down ", "open ", "close ", "turn on ", "turn off ", "slice ")
MOVED_BY = {"put", "created"}  # events whose object the hand just placed or cut
SHOWS_OPEN = OPEN_FRONT | {"Drawer", "Box"}  # drawn differently open and shut; other openables look the same
SIDE_GAP = 0.1  # share of the width: the leftmost instance's centre must be this far left of the next
NEAR_MARGIN = 0.3  # metres, as spatial.MARGIN: the nearest instance is this much nearer than the next
BIG_RATIO = 2.0  # the biggest instance shows at least this many times the pixels of the next


class View:
    """One frame with its world: pixel counts, which classes show cleanly, instance geometry."""

    def __init__(self, world: World, mask: np.ndarray, min_pixels: int):
        self.world, self.mask, self.min_pixels = world, mask, min_pixels
        self.counts = np.bincount(mask.ravel(), minlength=len(world.objects) + 1)
        self.shown = [i for i in np.nonzero(self.counts)[0].tolist() if i > 0]  # mask ids with any pixel
        self.classes: dict[str, list[int]] = {}
        for i in self.shown:
            self.classes.setdefault(world.objects[i - 1].cls, []).append(i)
        # A class with a sliver in view is left out: "all the apples" would be unclear about the sliver.
        self.clean = {c: ids for c, ids in self.classes.items() if min(self.counts[ids]) >= min_pixels}

    def obj(self, i: int):
        return self.world.objects[i - 1]

    def centre_x(self, i: int) -> float:
        return float(np.nonzero(self.mask == i)[1].mean())


def _unique_names(world: World) -> set[str]:
    """Numbered names (``Cabinet_2``) that single out one object: a bare ``Potato`` reads as any
    potato to a person, and some names repeat (every ``StoveKnob``)."""
    seen: dict[str, int] = {}
    for o in world.objects:
        if o.alive:
            seen[o.name] = seen.get(o.name, 0) + 1
    return {n for n, c in seen.items() if c == 1 and re.fullmatch(r".+_\d+", n)}


def interaction(v: View, ep: SynthEpisode, k: int) -> list[tuple[str, str, list[int]]]:
    """The held object, and after a manipulation step what it acted on, moved or made."""
    ids = []
    if v.world.agent.held is not None:
        ids.append(v.world.agent.held + 1)
    if k > 0:
        rec = [s for s in ep.episode.steps if s.action_id is not None][k - 1]
        if rec.valid and rec.action.startswith(MANIPULATIONS) and ep.interactions[k] is not None:
            by_id = {o.id: o.idx + 1 for o in v.world.objects}
            ids.append(by_id[ep.interactions[k]["object"]])
            ids += [by_id[e["object"]] for e in rec.events if e["event"] in MOVED_BY]
    ids = list(dict.fromkeys(i for i in ids if v.counts[i] > 0))
    if not ids or min(v.counts[ids]) < v.min_pixels:
        return []
    return [("interaction", INTERACTION_QUERY, ids)]


def class_queries(v: View, max_answers: int) -> list[tuple[str, str, list[int]]]:
    return [("class", f"Locate the {c}.", ids) for c, ids in sorted(v.clean.items()) if len(ids) <= max_answers]


def _alone(ids: list[int], pred) -> int | None:
    hits = [i for i in ids if pred(i)]
    return hits[0] if len(hits) == 1 else None


def referring(v: View) -> list[tuple[str, str, list[int]]]:
    """Phrases true of exactly one visible instance (among every instance with a pixel in view)."""
    w, out = v.world, []
    names = _unique_names(w)
    for c, ids in sorted(v.clean.items()):
        out += [("name", f"Locate {v.obj(i).name}.", [i]) for i in ids if v.obj(i).name in names]
        if len(ids) < 2:
            continue
        n = noun(c)
        for form, side in (("left", 1), ("right", -1)):
            if (i := _outermost(v, ids, side)) is not None:
                out.append((form, f"Locate the {form}most {n}.", [i]))
        # Distances run to the object's centre, which says little for a long counter, and the held
        # object's world position is not where it is drawn.
        near = sorted((w.distance(i - 1), i) for i in ids if not w.is_held(i - 1))
        if (len(near) == len(ids) and all(v.obj(i).pickupable for i in ids)
                and near[1][0] - near[0][0] >= NEAR_MARGIN):
            out.append(("nearest", f"Locate the {n} nearest to me.", [near[0][1]]))
        big = sorted(((int(v.counts[i]), i) for i in ids), reverse=True)
        if big[0][0] >= BIG_RATIO * big[1][0]:
            out.append(("biggest", f"Locate the {n} that takes up the most of the view.", [big[0][1]]))
        if c in SHOWS_OPEN and all(v.obj(i).openable for i in ids):
            for state, word in ((True, "open"), (False, "closed")):
                if (i := _alone(ids, lambda j: bool(v.obj(j).is_open) == state)) is not None:
                    out.append((word, f"Locate the {word} {n}.", [i]))
        if all(v.obj(i).toggleable for i in ids):
            for state, word in ((True, "on"), (False, "off")):
                if (i := _alone(ids, lambda j: bool(v.obj(j).is_on) == state)) is not None:
                    out.append((word, f"Locate the {n} that is switched {word}.", [i]))
        if (i := _alone(ids, lambda j: w.agent.held == j - 1)) is not None:
            out.append(("held", f"Locate the {n} in my hand.", [i]))
        holders = [_holder(w, i - 1) for i in ids]
        for h in sorted({h for h in holders if h is not None}):
            if holders.count(h) == 1:
                out.append(("holder", f"Locate the {n} {prep(h)} the {noun(h)}.", [ids[holders.index(h)]]))
    return out


def _outermost(v: View, ids: list[int], side: int) -> int | None:
    """The instance furthest left (``side`` 1) or right (-1) in the image by its centre, with a clear
    gap, and by both box edges too, so that a wide object reaching past it does not blur the phrase."""
    xs = sorted((side * v.centre_x(i), i) for i in ids)
    if xs[1][0] - xs[0][0] < SIDE_GAP * v.mask.shape[1]:
        return None
    i = xs[0][1]
    edges = {j: box_of(v.mask, j) for j in ids}
    lo, hi = (0, 2) if side == 1 else (2, 0)
    others = [edges[j] for j in ids if j != i]
    if all(side * edges[i][lo] < side * b[lo] and side * edges[i][hi] <= side * b[hi] for b in others):
        return i
    return None


def _holder(w: World, idx: int) -> str | None:
    p = w.objects[idx].parent
    return None if p is None else "Floor" if p == FLOOR else w.objects[p].cls


def empties(v: View) -> list[tuple[str, str, list[int]]]:
    """Queries nothing in view answers: an absent class or named instance, or a state none has."""
    w, out = v.world, []
    # A class counts as present when anything of the same EB name shows (Bread while its slices do).
    shown = {name_of_class(base_class(c)) for c in v.classes}
    absent = sorted({o.cls for o in w.objects if name_of_class(base_class(o.cls)) not in shown})
    if not absent:  # everything in the room is in view: fall back to classes of other rooms
        absent = sorted(c for c in PALETTE if name_of_class(base_class(c)) not in shown)[:20]
    out += [("absent_class", f"Locate the {c}.", []) for c in absent]
    names = _unique_names(w)
    out += [("absent_name", f"Locate {o.name}.", []) for o in w.objects
            if o.alive and o.name in names and v.counts[o.idx + 1] == 0]
    for c, ids in sorted(v.classes.items()):
        if c in SHOWS_OPEN and all(v.obj(i).openable for i in ids):
            for state, word in ((True, "open"), (False, "closed")):
                if not any(bool(v.obj(i).is_open) == state for i in ids):
                    out.append(("not_" + word, f"Locate the {word} {noun(c)}.", []))
    return out
