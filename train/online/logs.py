"""What a run writes per iteration: one ``metrics.csv`` row (reward parts, success, lengths, loss
stats, held-out evaluation), TensorBoard scalars when ``tensorboard`` is installed, and
``reward_curve.png`` (matplotlib) redrawn from the CSV at the end."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from train.online.collect import PARTS, Group

FIELDS = ("iteration", "groups", "episodes", "return", *(f"r_{p}" for p in PARTS), "qa_asked", "qa_reward",
          "qa_accuracy", "qa_keyframe", "turns", "env_steps", "completion_tokens", "loss", "clipfrac", "kl",
          "first_epoch_logprob_gap", "updates", "unscorable", "eval_success", "eval_progress", "stagnation",
          "branch_groups", "branch_success", "guide_success", "greedy_success", "imitation_nll", "imitation_tokens",
          "seconds")


def metrics_row(iteration: int, groups: list[Group], stats: dict, extra: dict) -> dict:
    """Reward parts, success and lengths over the task groups (from the initial state); branch groups
    (which start mid-episode) count only in ``branch_success``, their guided members only in
    ``guide_success``. Loss stats cover all."""
    branches = [r for g in groups if g.prefix for r in g.rollouts if not r.guided]
    guided = [r for g in groups for r in g.rollouts if r.guided]
    rollouts = [r for g in groups if not g.prefix for r in g.rollouts]
    answered = [r for r in rollouts if r.answer is not None]
    turns = [t for r in rollouts for t in r.turns]

    def mean(xs):
        xs = list(xs)
        return round(float(np.mean(xs)), 4) if xs else ""

    row = {"iteration": iteration, "groups": len(groups), "episodes": len(rollouts) + len(branches) + len(guided),
           "branch_groups": sum(bool(g.prefix) for g in groups),
           "branch_success": mean(r.parts["success"] for r in branches),
           "guide_success": mean(r.parts["success"] for r in guided),
           "return": mean(r.ret for r in rollouts),
           **{f"r_{p}": mean(r.parts[p] for r in rollouts) for p in PARTS},
           "qa_asked": len(answered), "qa_reward": mean(r.answer.reward for r in answered),
           "qa_accuracy": mean(r.answer_parts["accuracy"] for r in answered),
           "qa_keyframe": mean(r.answer_parts["keyframe"] for r in answered),
           "turns": mean(len(r.turns) for r in rollouts),
           "env_steps": mean(r.episode.metrics["num_steps"] for r in rollouts),
           "completion_tokens": mean(len(t.completion_ids) for t in turns)}
    row.update({k: (round(v, 6) if isinstance(v, float) else v) for k, v in stats.items() if k in FIELDS})
    row.update({k: v for k, v in extra.items() if k in FIELDS})
    return {k: row.get(k, "") for k in FIELDS}


class RunLog:
    def __init__(self, out: Path):
        self.path = out / "metrics.csv"
        self.header: list[str] | None = None
        self.tb = None
        try:  # TensorBoard only where it is already installed
            from torch.utils.tensorboard import SummaryWriter

            self.tb = SummaryWriter(str(out / "tensorboard"))
        except ImportError:
            pass

    def fields(self) -> list[str]:
        """The columns to append under. A run resumed by a newer version of this package may log columns
        its file lacks: the file is rewritten once under the new header, its rows kept by column name
        (columns no longer logged stay, at the end), so that no value lands under another's name."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return list(FIELDS)
        with open(self.path, newline="") as f:
            reader = csv.DictReader(f)
            old, header = list(reader), list(reader.fieldnames or [])
        if header == list(FIELDS):
            return header
        header = list(FIELDS) + [c for c in header if c not in FIELDS]
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", newline="") as f:
            w = csv.DictWriter(f, header, restval="")
            w.writeheader()
            w.writerows(old)
        tmp.replace(self.path)
        return header

    def append(self, row: dict) -> None:
        if self.header is None:  # once per run: the file is rewritten at most here
            self.header = self.fields()
        new = not self.path.exists() or self.path.stat().st_size == 0
        with open(self.path, "a", newline="") as f:
            w = csv.DictWriter(f, self.header, restval="")
            if new:
                w.writeheader()
            w.writerow(row)
        if self.tb is not None:
            for k, v in row.items():
                if k != "iteration" and v != "":
                    self.tb.add_scalar(k, float(v), row["iteration"])
            self.tb.flush()

    def rows(self) -> list[dict]:
        if not self.path.exists():
            return []
        with open(self.path) as f:
            return list(csv.DictReader(f))


def plot(rows: list[dict], path: Path, probe_rows: list[dict] | None = None) -> Path | None:
    """Return, reward parts, success and video-QA accuracy per iteration; with ``probe_rows``, the fixed
    probe tasks' success and reward parts (``train/online/probe.py``) in a fourth panel."""
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [int(r["iteration"]) for r in rows]

    def series(k):
        return [float(r[k]) if r[k] != "" else np.nan for r in rows]

    fig, axes = plt.subplots(1, 4 if probe_rows else 3, figsize=(20 if probe_rows else 15, 4))
    axes[0].plot(x, series("return"), label="return")
    for p in PARTS:
        axes[1].plot(x, series(f"r_{p}"), label=p)
    axes[2].plot(x, series("r_success"), label="train success")
    if any(r.get("greedy_success") not in (None, "") for r in rows):
        axes[2].plot(x, series("greedy_success"), label="train success, greedy")
    axes[2].plot(x, series("qa_accuracy"), "o-", label="video-QA accuracy")
    axes[2].plot(x, series("eval_success"), "s", label="held-out success")
    titles = ["episode return", "reward parts per episode (unweighted; invalid: a count)",
              "success (each iteration's own tasks)"]
    if probe_rows:
        px = [int(r["iteration"]) for r in probe_rows]
        for k in ("success", "progress", "format", "grounding", "qa_accuracy", "qa_keyframe"):
            axes[3].plot(px, [float(r[k]) if r[k] != "" else np.nan for r in probe_rows], "o-", label=k)
        titles.append("fixed probe tasks (never trained)")
    for ax, title in zip(axes, titles):
        ax.set_title(title)
        ax.set_xlabel("iteration")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
