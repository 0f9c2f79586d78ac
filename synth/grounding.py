"""EARL-style grounding data: one egocentric frame and a query -> the names of the objects it refers
to, their boxes and their masks.

    python -m synth.grounding out=DIR n=N seed=S [empty_rate=0.1 kinds=[interaction,class,referring] ...]

Query kinds (column ``kind``; column ``form`` says which phrase was used):

- ``interaction``: "Locate the objects the hand is interacting with." -- the object in hand, and after a
  successful pick up / put / open / close / turn on / turn off / slice also the object acted on and
  what the step moved or made (the object put down, the slices cut).
- ``class``: "Locate the <Class>." -- every visible instance of the class, left to right.
- ``referring``: a phrase true of exactly one visible instance: its EB-style name ("Locate Cabinet_2."),
  where it is in the view (leftmost, rightmost, nearest, biggest), its state (open, closed, switched
  on or off, in my hand) or what it rests in or on.
- ``empty``: EARL's no-target case, at rate ``empty_rate``: an absent class, an absent named instance,
  or a state no visible instance has ("the open fridge" with only a closed one in view). The reply is
  "There is no suitable referring result." with ``<bbox>None</bbox>``; ``answer`` and ``boxes`` are [].

Boxes are ``[x0, y0, x1, y1]`` in pixels with ``x1``/``y1`` exclusive (as in ``envs.household.annotations``),
exactly the extent of the object's mask, and ``target`` writes the same numbers: they are pixel-edge
coordinates, which is how Qwen2.5-VL's absolute coordinates read. Masks: one indexed PNG per sample,
``masks/<row>.png`` relative to the dataset folder (column ``masks``; None for the empty case), 8-bit,
where value k + 1 marks answer entity k and 0 everything else (column ``mask_ids``, EARL's ``masks_idx``).

Object states come from replaying the episode's actions on a fresh copy of its world (the skills are
deterministic), so every phrase is checked against the true state the frame was rendered from.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from dataclasses import fields
from pathlib import Path

import hydra
import numpy as np
from datasets import Dataset, Features, Image, Sequence, Value
from omegaconf import DictConfig, OmegaConf
from PIL import Image as PILImage

from envs.household import skills, tasks
from envs.household.annotations import box_of
from envs.household.language import noun
from envs.household.palette import PALETTE
from envs.household.scenegraph import OPEN_FRONT
from envs.household.spatial import prep
from envs.household.vocab import base_class, name_of_class
from envs.household.world import FLOOR, World
from envs.task import Task
from synth.episodes import SynthEpisode, expert_episodes
from synth.io import save

EMPTY = "There is no suitable referring result."
INTERACTION_QUERY = "Locate the objects the hand is interacting with."
KINDS = ("interaction", "class", "referring")
SYSTEM = ("You locate objects in first-person images. Reply with <answer>[\"name\", ...]</answer> and then "
          "<bbox> holding one line per object, name: [x1, y1, x2, y2] in pixels. If nothing in the image fits "
          f"the request, reply <answer>{EMPTY}</answer><bbox>None</bbox>.")
MANIPULATIONS = ("pick up ", "put down ", "open ", "close ", "turn on ", "turn off ", "slice ")
MOVED_BY = {"put", "created"}  # events whose object the hand just placed or cut
SHOWS_OPEN = OPEN_FRONT | {"Drawer", "Box"}  # drawn differently open and shut; other openables look the same
SIDE_GAP = 0.1  # share of the width: the leftmost instance's centre must be this far left of the next
NEAR_MARGIN = 0.3  # metres, as spatial.MARGIN: the nearest instance is this much nearer than the next
BIG_RATIO = 2.0  # the biggest instance shows at least this many times the pixels of the next

FEATURES = Features({
    "image": Image(), "query": Value("string"), "answer": Sequence(Value("string")),
    "boxes": Sequence(Sequence(Value("int32"))), "masks": Value("string"), "mask_ids": Sequence(Value("int32")),
    "instance_ids": Sequence(Value("int32")), "object_ids": Sequence(Value("string")), "kind": Value("string"),
    "form": Value("string"), "episode_id": Value("string"), "step": Value("int32"), "scene": Value("string"),
    "task_id": Value("string"), "target": Value("string"),
    "messages": [{"role": Value("string"), "content": [{"type": Value("string"), "text": Value("string")}]}],
})


def world_states(ep: SynthEpisode):
    """The world as each frame shows it, frame 0 first (one world, advanced in place)."""
    known = {f.name for f in fields(Task)}
    world = tasks.world_for(Task.from_dict({k: v for k, v in ep.episode.task.items() if k in known}))
    actions = [s for s in ep.episode.steps if s.action_id is not None]  # unreadable turns took no step
    if len(actions) != len(ep.frames) - 1:
        raise AssertionError(f"{ep.id}: {len(actions)} actions for {len(ep.frames)} frames")
    yield world
    for s in actions:
        if skills.execute(world, s.action).success != s.valid:
            raise AssertionError(f"{ep.id}: step {s.step} ({s.action}) replays differently")
        yield world


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


def target_text(names: list[str], boxes: list[list[int]]) -> str:
    if not names:
        return f"<answer>{EMPTY}</answer><bbox>None</bbox>"
    lines = "\n".join(f"{n}: [{', '.join(map(str, b))}]" for n, b in zip(names, boxes))
    return f"<answer>{json.dumps(names)}</answer><bbox>{lines}</bbox>"


def frame_samples(ep: SynthEpisode, cfg) -> list[dict]:
    """At most one sample from each of ``per_episode`` frames picked at random, in frame order.
    A row's mask is still an array here (``mask_array``); ``rows_from`` writes the PNGs."""
    n = len(ep.frames)
    picked = set(np.random.default_rng([cfg.seed, ep.episode.seed]).permutation(n)[:cfg.per_episode].tolist())
    rows = []
    for k, world in enumerate(world_states(ep)):
        if k not in picked:
            continue
        v = View(world, ep.masks[k], cfg.min_pixels)
        rng = np.random.default_rng([cfg.seed, ep.episode.seed, k])
        if rng.random() < cfg.empty_rate:
            kind, options = "empty", empties(v)
        else:
            builders = {"interaction": lambda: interaction(v, ep, k), "referring": lambda: referring(v),
                        "class": lambda: class_queries(v, cfg.max_answers)}
            ready = [(kind, opts) for kind in cfg.kinds if (opts := builders[kind]())]
            kind, options = ready[int(rng.integers(len(ready)))] if ready else (None, [])
        if not options:  # skip rather than fall back, so that empty_rate stays the share of empties
            continue
        # A form first, then one of its phrases: instance names alone would otherwise crowd out the rest.
        forms = sorted({o[0] for o in options})
        form = forms[int(rng.integers(len(forms)))]
        options = [o for o in options if o[0] == form]
        form, query, ids = options[int(rng.integers(len(options)))]
        if kind == "class":
            ids = sorted(ids, key=lambda i: (box_of(v.mask, i), i))
        boxes = [box_of(v.mask, i) for i in ids]
        names = [v.obj(i).name for i in ids]
        target = target_text(names, boxes)
        rows.append({
            "image": ep.frames[k], "query": query, "answer": names, "boxes": boxes, "masks": None,
            "mask_array": _indexed(v.mask, ids) if ids else None, "mask_ids": list(range(1, len(ids) + 1)),
            "instance_ids": ids, "object_ids": [v.obj(i).id for i in ids], "kind": kind, "form": form,
            "episode_id": ep.id, "step": k, "scene": ep.episode.task["scene"],
            "task_id": ep.episode.task["id"], "target": target,
            "messages": [{"role": "system", "content": [{"type": "text", "text": SYSTEM}]},
                         {"role": "user", "content": [{"type": "image", "text": None},
                                                      {"type": "text", "text": query}]},
                         {"role": "assistant", "content": [{"type": "text", "text": target}]}],
        })
    return rows


def _indexed(mask: np.ndarray, ids: list[int]) -> np.ndarray:
    if len(ids) > 255:
        raise ValueError("an 8-bit indexed mask holds at most 255 entities")
    out = np.zeros(mask.shape, np.uint8)
    for k, i in enumerate(ids):
        out[mask == i] = k + 1
    return out


def rows_from(episodes, cfg, out: Path | None = None):
    """Every sample of every episode; with ``out``, each mask is written to ``out/masks/<row>.png``."""
    count = 0
    for ep in episodes:
        for row in frame_samples(ep, cfg):
            arr = row.pop("mask_array")
            if arr is not None:
                row["masks"] = f"masks/{count:06d}.png"
                if out is not None:
                    PILImage.fromarray(arr).save(out / row["masks"])
            yield row
            count += 1


def build(cfg) -> tuple[Dataset, dict]:
    """Write ``cfg.out`` (masks and dataset) and return the dataset and its statistics."""
    out = Path(cfg.out)
    shutil.rmtree(out / "masks", ignore_errors=True)  # masks of an earlier, bigger run would linger
    (out / "masks").mkdir(parents=True)
    episodes = expert_episodes(cfg.n, cfg.seed, mistake_prob=cfg.mistake_prob, resolution=cfg.resolution)
    # Frames go in as PNG bytes at once: raw arrays of a large n would not fit in memory.
    rows = [{**r, "image": {"bytes": _png(r["image"]), "path": None}} for r in rows_from(episodes, cfg, out)]
    ds = Dataset.from_list(rows, features=FEATURES)
    return ds, stats_of(rows)


def _png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    PILImage.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def stats_of(rows: list[dict]) -> dict:
    def share(key):
        values = [r[key] for r in rows]
        return {k: values.count(k) for k in sorted(set(values))}

    n = max(len(rows), 1)
    return {"rows": len(rows), "episodes": len({r["episode_id"] for r in rows}), "kinds": share("kind"),
            "forms": share("form"), "empty_share": round(sum(r["kind"] == "empty" for r in rows) / n, 4),
            "mean_answers": round(sum(len(r["answer"]) for r in rows) / n, 3)}


@hydra.main(config_path="conf", config_name="grounding", version_base=None)
def main(cfg: DictConfig) -> None:
    unknown = set(cfg.kinds) - set(KINDS)
    if unknown:
        raise SystemExit(f"kinds must be among {KINDS}, got {sorted(unknown)}")
    t0 = time.perf_counter()
    ds, stats = build(cfg)
    fingerprint = save(ds, cfg.out, "grounding", stats, OmegaConf.to_container(cfg, resolve=True))
    seconds = time.perf_counter() - t0  # episodes, samples, PNGs and the save: all but the imports
    print(f"{len(ds)} samples in {seconds:.1f} s ({len(ds) / seconds:.1f} samples/s) -> {cfg.out}; "
          f"kinds {stats['kinds']}; fingerprint {fingerprint[:12]}")


if __name__ == "__main__":
    main()
