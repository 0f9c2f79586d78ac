"""The stage table: the same held-out tasks played by each stage of a model's training, side by
side (EgoReasoner's zero-shot → SFT → GRPO table, at whatever scale the models are).

    python -m eval.stages stages='[{name: zero-shot, path: runs/small}, {name: sft, path: runs/sft/final}, {name: grpo, path: runs/grpo_online/final}]'

Each stage is one ``python -m eval.embodied`` run of the ``qwen`` policy into ``<out>/<name>``
(so it resumes like any evaluation), on the same subsets, seeds and test scenes. The table gives
success and progress per subset with 95% intervals and, from the second stage on, the gain over
the stage before as a paired difference on the same tasks with its own 95% interval. Written to
``<out>/stages.md`` and ``<out>/stages.json``, printed, and the report to ``<out>/report``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from agent.recorder import write_atomic
from agent.summary import mean_ci
from eval import report


def run_stage(cfg: DictConfig, stage: dict, out: Path) -> dict:
    policy = [f"policy.{k}={v}" for k, v in OmegaConf.to_container(cfg.policy, resolve=True).items()]
    args = ["policy=qwen", f"policy.path={stage['path']}", f"prompt={cfg.prompt}",
            f"subsets=[{','.join(cfg.subsets)}]", f"episodes_per_subset={cfg.episodes_per_subset}",
            f"scene_split={cfg.scene_split}", f"seed={cfg.seed}", f"parallel={cfg.parallel}", f"out={out}",
            f"progress={cfg.progress}", *policy, *cfg.extra]
    if stage.get("adapter"):
        args.append(f"policy.adapter={stage['adapter']}")
    r = subprocess.run([sys.executable, "-m", "eval.embodied", *args])
    if r.returncode:
        raise SystemExit(f"stage {stage['name']}: eval.embodied failed (exit {r.returncode}); rerun to resume")
    return json.loads((out / "summary.json").read_text())


def paired_gain(before: dict, after: dict) -> dict:
    """Mean and 95% half-width of the per-task difference in success (the tasks are the same)."""
    a = {(s, e["index"]): e["task_success"] for s, eps in before["episodes"].items() for e in eps}
    b = {(s, e["index"]): e["task_success"] for s, eps in after["episodes"].items() for e in eps}
    return mean_ci([b[k] - a[k] for k in sorted(a) if k in b])


def table(names: list[str], summaries: list[dict], subsets: list[str]) -> tuple[str, list[dict]]:
    def pct(block: dict, key: str) -> str:
        ci = block["ci95"][key]
        return f"{100 * block[key]:.1f}" + (f" ± {100 * ci:.1f}" if ci is not None else "")

    head = ["stage", "n", "success %", "progress %", *[f"{s} %" for s in subsets], "gain vs previous (paired)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rows = []
    for k, (name, s) in enumerate(zip(names, summaries)):
        gain = paired_gain(summaries[k - 1], s) if k else None
        gain_text = "" if gain is None else f"{100 * gain['mean']:+.1f} ± {100 * (gain['ci95'] or 0):.1f}"
        cells = [name, str(s["num_episodes"]), pct(s, "task_success"), pct(s, "task_progress"),
                 *[pct(s["by_subset"][x], "task_success") for x in subsets], gain_text]
        lines.append("| " + " | ".join(cells) + " |")
        rows.append({"stage": name, "episodes": s["num_episodes"], "task_success": s["task_success"],
                     "task_success_ci95": s["ci95"]["task_success"], "task_progress": s["task_progress"],
                     "task_progress_ci95": s["ci95"]["task_progress"],
                     "by_subset": {x: {"task_success": s["by_subset"][x]["task_success"],
                                       "task_progress": s["by_subset"][x]["task_progress"]} for x in subsets},
                     "gain_vs_previous": gain})
    return "\n".join(lines) + "\n", rows


@hydra.main(config_path="conf", config_name="stages", version_base=None)
def main(cfg: DictConfig) -> None:
    stages = [dict(s) for s in cfg.stages]
    if not stages or any(not s.get("name") or not s.get("path") for s in stages):
        raise SystemExit("stages must be a list of {name, path[, adapter]}")
    out = Path(cfg.out)
    summaries = [run_stage(cfg, s, out / s["name"]) for s in stages]
    names = [s["name"] for s in stages]
    md, rows = table(names, summaries, list(cfg.subsets))
    caption = (f"{cfg.episodes_per_subset} episodes per subset on the {cfg.scene_split} scenes (env seeds "
               f"{cfg.seed}..{cfg.seed + cfg.episodes_per_subset - 1}), greedy `{cfg.prompt}` prompt; mean ± "
               "half-width of the 95% interval.\n\n")
    write_atomic(out / "stages.md", caption + md)
    write_atomic(out / "stages.json", json.dumps({"stages": rows, "config": OmegaConf.to_container(cfg, resolve=True)},
                                                 indent=1) + "\n")
    report.build([out / n for n in names], out / "report", names)
    print(caption + md)
    print(f"table: {out}/stages.md, {out}/stages.json; report: {out}/report/index.html")


if __name__ == "__main__":
    main()
