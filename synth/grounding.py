"""EARL-style grounding data: one egocentric frame and a query -> the names of the objects it refers
to, their boxes and their masks. This module builds and writes the dataset; the queries themselves
(kinds ``interaction``, ``class``, ``referring`` and ``empty``) are written by ``synth.grounding_queries``.

    python -m synth.grounding out=DIR n=N seed=S [empty_rate=0.1 kinds=[interaction,class,referring] ...]

Each sampled frame gets one query: at rate ``empty_rate`` an ``empty`` one, whose reply is
"There is no suitable referring result." with ``<bbox>None</bbox>`` and whose ``answer`` and ``boxes``
are [], otherwise one of ``kinds``.

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
from envs.task import Task
from synth.episodes import SynthEpisode, expert_episodes
from synth.grounding_queries import View, class_queries, empties, interaction, referring
from synth.io import save

EMPTY = "There is no suitable referring result."
KINDS = ("interaction", "class", "referring")
SYSTEM = ("You locate objects in first-person images. Reply with <answer>[\"name\", ...]</answer> and then "
          "<bbox> holding one line per object, name: [x1, y1, x2, y2] in pixels. If nothing in the image fits "
          f"the request, reply <answer>{EMPTY}</answer><bbox>None</bbox>.")

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
    episodes = expert_episodes(cfg.n, cfg.seed, mistake_prob=cfg.mistake_prob, resolution=cfg.resolution,
                               scene_split=cfg.get("scene_split", "train"))
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
