"""EmbodiedBench's result files, so that its analysis scripts read ours unchanged.

EmbodiedBench writes, per subset, ``results/episode_<i>_final_res.json`` (one flat dict per episode)
and ``results/summary.json`` (the mean of every numeric key over those files,
``summarize_result.average_json_values``). We write the same two files with the same key names,
and on top a run-level ``summary.json`` whose top level holds the same flat means over all
episodes, with our additions (95% intervals, per-subset and per-task-type blocks, the run's
config) under keys EB's averaging skips (dicts and lists).

The run-level summary is a function of the episodes' results only, never of their timing, so an
interrupted and resumed evaluation writes exactly the summary an uninterrupted one does.
"""

from __future__ import annotations

import json
from pathlib import Path

from agent.recorder import write_atomic
from agent.records import Episode
from agent.summary import mean_ci

# EmbodiedBench's per-episode keys (``save_episode_metric``), in its order
EB_KEYS = ("reward", "num_invalid_actions", "empty_plan", "instruction", "task_success", "task_progress",
           "num_steps", "planner_steps", "planner_output_error", "num_invalid_action_ratio",
           "episode_elapsed_seconds")
# the numeric ones that depend on what the agent did (not on the wall clock)
SCORES = ("task_success", "task_progress", "num_steps", "num_invalid_actions", "planner_output_error",
          "empty_plan", "planner_steps", "num_invalid_action_ratio", "reward")


def final_res(ep: Episode) -> dict:
    """EmbodiedBench's ``episode_<i>_final_res.json`` for one episode. ``reward`` is the mean
    per-step reward (ours: the task-progress gain of each env step; a turn with no readable action
    counts as a step with reward 0)."""
    rewards = [s.reward for s in ep.steps]
    m = ep.metrics
    return {"reward": sum(rewards) / len(rewards) if rewards else 0.0,
            "num_invalid_actions": m["num_invalid_actions"], "empty_plan": m["empty_plan"],
            "instruction": ep.task.get("instruction", ""), "task_success": m["task_success"],
            "task_progress": m["task_progress"], "num_steps": m["num_steps"], "planner_steps": m["planner_steps"],
            "planner_output_error": m["planner_output_error"],
            "num_invalid_action_ratio": m["num_invalid_action_ratio"],
            "episode_elapsed_seconds": ep.timing.get("episode_elapsed_seconds", 0.0)}


def average_json_values(rows: list[dict]) -> dict:
    """EmbodiedBench's subset summary: the mean of each numeric key (strings skipped, one-element
    lists unwrapped)."""
    sums: dict[str, list[float]] = {}
    for row in rows:
        for k, v in row.items():
            if isinstance(v, list) and len(v) == 1:
                v = v[0]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                sums.setdefault(k, []).append(float(v))
    return {k: sum(v) / len(v) for k, v in sums.items()}


def block(results: list[dict]) -> dict:
    """Flat means under EB's names, then ``num_episodes`` and ``ci95`` (half-widths, None below 2)."""
    stats = {k: mean_ci([float(r[k]) for r in results]) for k in SCORES}
    return {**{k: s["mean"] for k, s in stats.items()}, "num_episodes": len(results),
            "ci95": {k: s["ci95"] for k, s in stats.items()}}


def summarize(by_subset: dict[str, list[Episode]], config: dict) -> dict:
    """The run-level ``summary.json``: overall (flat, EB's names), per subset, per task type."""
    results = {s: [final_res(e) for e in eps] for s, eps in by_subset.items()}
    everything = [r for rows in results.values() for r in rows]
    types: dict[str, list[dict]] = {}
    for eps, rows in zip(by_subset.values(), results.values()):
        for e, r in zip(eps, rows):
            types.setdefault(e.task.get("type", "?"), []).append(r)
    return {**block(everything),
            "by_subset": {s: block(rows) for s, rows in results.items()},
            "by_task_type": {t: block(rows) for t, rows in sorted(types.items())},
            "episodes": {s: [{"index": e.index, "seed": e.seed, "task_id": e.task.get("id"),
                              "task_type": e.task.get("type"), "task_success": e.metrics["task_success"],
                              "task_progress": e.metrics["task_progress"]} for e in eps]
                         for s, eps in by_subset.items()},
            "config": config}


def write_subset_results(folder: Path, episodes: list[Episode]) -> None:
    """``<subset>/results/``: one final_res per episode and EB's averaged ``summary.json``."""
    results = folder / "results"
    results.mkdir(parents=True, exist_ok=True)
    rows = []
    for ep in episodes:
        row = final_res(ep)
        rows.append(row)
        write_atomic(results / f"episode_{ep.index}_final_res.json", json.dumps(row, indent=1) + "\n")
    write_atomic(results / "summary.json", json.dumps(average_json_values(rows), indent=1) + "\n")
