"""The report's figures (matplotlib, written as PNG files next to the page)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402

# what a training log calls the numbers worth a curve, most telling first
CURVE_KEYS = ("loss", "reward", "success", "task_success", "eval_success", "grad_norm", "learning_rate")


def success_by_subset(names: list[str], blocks: list[dict], path: Path) -> None:
    """Grouped bars: success per subset for each run, with 95% interval whiskers."""
    subsets = sorted({s for b in blocks for s in b})
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(subsets) * max(len(names), 1) ** 0.5), 3.6))
    width = 0.8 / max(len(names), 1)
    for k, (name, block) in enumerate(zip(names, blocks)):
        xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(subsets))]
        means = [100 * block.get(s, {}).get("task_success", 0.0) for s in subsets]
        errs = [100 * (block.get(s, {}).get("ci95", {}).get("task_success") or 0.0) for s in subsets]
        ax.bar(xs, means, width, yerr=errs, capsize=3, label=name)
    ax.set_xticks(range(len(subsets)), [s.replace("_", "\n") for s in subsets], fontsize=8)
    ax.set_ylabel("success (%)")
    ax.set_ylim(0, 105)
    ax.legend(fontsize=8)
    ax.set_title("Task success by subset (95% CI)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def training_curves(name: str, curves: dict[str, list[tuple[float, float]]], path: Path) -> bool:
    keys = [k for k in CURVE_KEYS if k in curves] or sorted(curves)[:4]
    if not keys:
        return False
    fig, axes = plt.subplots(1, len(keys), figsize=(3.6 * len(keys), 3.0), squeeze=False)
    for ax, key in zip(axes[0], keys):
        xs, ys = zip(*sorted(curves[key]))
        ax.plot(xs, ys, marker="." if len(xs) < 50 else None)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
    fig.suptitle(name, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
