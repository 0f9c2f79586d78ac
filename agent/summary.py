"""Aggregating episodes: EmbodiedBench's metrics as means with 95% confidence intervals, overall and
per subset, and the table printed at the end of a run."""

from __future__ import annotations

import math
import sys

from rich.console import Console
from rich.table import Table

from agent.records import METRICS, Episode

# metric -> column header (short, so the table fits a terminal)
TABLE_METRICS = {"task_success": "success", "task_progress": "progress", "num_steps": "steps",
                 "num_invalid_actions": "invalid", "planner_output_error": "unreadable", "empty_plan": "empty"}


def mean_ci(values: list[float]) -> dict:
    """Mean and the half-width of its normal-approximation 95% interval (None below two values)."""
    n = len(values)
    mean = sum(values) / n if n else 0.0
    if n < 2:
        return {"mean": mean, "ci95": None, "n": n}
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return {"mean": mean, "ci95": 1.96 * math.sqrt(var / n), "n": n}


def summarize(episodes: list[Episode]) -> dict:
    def block(eps: list[Episode]) -> dict:
        return {m: mean_ci([float(e.metrics[m]) for e in eps]) for m in METRICS if eps and m in eps[0].metrics}

    subsets: dict[str, list[Episode]] = {}
    for e in episodes:
        subsets.setdefault(e.task.get("subset", "?"), []).append(e)
    return {"episodes": len(episodes), "overall": block(episodes),
            "by_subset": {s: block(eps) for s, eps in sorted(subsets.items())}}


def print_table(summary: dict, title: str, console: Console | None = None) -> None:
    table = Table(title=title, caption="mean ± half-width of the 95% confidence interval")
    table.add_column("subset")
    table.add_column("n", justify="right")
    for header in TABLE_METRICS.values():
        table.add_column(header, justify="right")
    rows = list(summary["by_subset"].items())
    if len(rows) > 1:
        rows.append(("overall", summary["overall"]))
    for name, block in rows:
        cells = []
        for m in TABLE_METRICS:
            s = block.get(m)
            cells.append("-" if s is None else f"{s['mean']:.2f}" + (f"±{s['ci95']:.2f}" if s["ci95"] is not None else ""))
        n = next(iter(block.values()))["n"] if block else 0
        table.add_row(name, str(n), *cells)
    # a log file is not a terminal: give the table room instead of rich's 80 columns
    (console or Console(width=None if sys.stdout.isatty() else 120)).print(table)
