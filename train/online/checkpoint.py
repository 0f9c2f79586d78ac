"""Checkpoints that make a killed run resumable without losing or repeating a group.

A checkpoint is a folder ``checkpoints/iter-N`` holding the model (loadable by ``agent.models.load``),
the optimizer, and ``state.json``: the iteration reached, the random states, the curriculum and the
*committed-groups log* (the id of every group whose update is in these weights, in training order).
It is written under a temporary name and renamed into place, and ``checkpoints/latest`` (a one-line
file, itself replaced atomically) names it only afterwards: a run killed at any moment resumes from
a complete checkpoint whose log says exactly which groups its weights have seen. Groups trained after
it are redone from the same schedule, and ``metrics.csv`` is cut back to the checkpoint's rows.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import numpy as np
import torch

from agent.models.load import save_model


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def rng_state(rng: random.Random) -> dict:
    return {"python": rng.getstate(), "torch": torch.get_rng_state().tolist()}


def set_rng_state(rng: random.Random, state: dict) -> None:
    version, internal, gauss = state["python"]
    rng.setstate((version, tuple(internal), gauss))
    torch.set_rng_state(torch.tensor(state["torch"], dtype=torch.uint8))


def save(out: Path, model, processor, optimizer, state: dict, keep: int = 2) -> Path:
    root = out / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"iter-{state['iteration']}"
    tmp = root / f".tmp-iter-{state['iteration']}"
    shutil.rmtree(tmp, ignore_errors=True)
    save_model(model, processor, tmp)
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    _write_atomic(tmp / "state.json", json.dumps(state) + "\n")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    _write_atomic(root / "latest", final.name + "\n")
    done = sorted((p for p in root.glob("iter-*") if p.is_dir()), key=lambda p: int(p.name.split("-")[1]))
    for old in done[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
    return final


def latest(out: Path) -> tuple[Path, dict] | None:
    """The newest complete checkpoint and its state, or None."""
    pointer = out / "checkpoints" / "latest"
    if not pointer.exists():
        return None
    path = out / "checkpoints" / pointer.read_text().strip()
    return path, json.loads((path / "state.json").read_text())


def load_optimizer(optimizer, path: Path) -> None:
    optimizer.load_state_dict(torch.load(path / "optimizer.pt", weights_only=True))


def cut_log(csv_path: Path, iteration: int) -> None:
    """Drop ``metrics.csv`` rows past ``iteration`` (written after the checkpoint, then lost with the run)."""
    if not csv_path.exists():
        return
    lines = csv_path.read_text().splitlines()
    if not lines:
        return
    keep = [lines[0]] + [ln for ln in lines[1:] if ln and int(ln.split(",", 1)[0]) <= iteration]
    _write_atomic(csv_path, "\n".join(keep) + "\n")


def seed_all(seed: int) -> random.Random:
    np.random.seed(seed)
    torch.manual_seed(seed)
    return random.Random(seed)
