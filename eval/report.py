"""A static HTML report of one or more runs: one folder that opens from disk, no server.

    python -m eval.report runs/eval/expert runs/eval/random
    python -m eval.report runs/eval/qwen-sft runs/eval/qwen-grpo runs/grpo_online out=runs/report

For every run that recorded episodes (``eval.embodied``, ``agent.rollout``): tables per subset and
per task type, and its episodes in the viewer (frame, model output, action, feedback, steppable
with the arrow keys, with ground-truth boxes when annotations were recorded). For runs that left a
training log: its curves. With several runs: the runs side by side (the stage table) and success
per subset as grouped bars. Output: ``<out>/index.html`` with its figures, ``data.js`` and frames.
"""

from __future__ import annotations

import json
import shutil
import sys
from importlib import resources
from pathlib import Path

import hydra
from omegaconf import DictConfig

from eval import eb_format, report_html, report_plots
from eval.report_data import load_run, viewer_episode


def build(folders: list[Path], out: Path, names: list[str] | None = None, viewer_episodes: int = 6,
          boxes: bool = True) -> Path:
    names = names or _names(folders)
    runs = [load_run(f, n) for f, n in zip(folders, names)]
    if out.exists():
        shutil.rmtree(out)  # a report is derived data: rebuilt whole, never half old
    (out / "episodes").mkdir(parents=True)
    for asset in ("style.css", "viewer.js"):
        (out / asset).write_bytes(resources.files("eval").joinpath("report_assets", asset).read_bytes())

    evaluated = [r for r in runs if r.episodes]
    summaries = [eb_format.summarize(r.by_subset, {}) for r in evaluated]
    sections = []
    if evaluated:
        sections.append("<h2>Success</h2>" + report_html.comparison_table([r.name for r in evaluated], summaries))
        report_plots.success_by_subset([r.name for r in evaluated], [s["by_subset"] for s in summaries],
                                       out / "success_by_subset.png")
        sections.append('<img class=plot src="success_by_subset.png" alt="success by subset">')
    for r, s in zip(evaluated, summaries):
        rows = list(s["by_subset"].items()) + [("overall", s)]
        sections.append(f"<h2>{report_html.escape(r.name)}</h2><p>{report_html.escape(str(r.folder))}</p>"
                        + report_html.metrics_table(rows, "per subset (success and progress in %)")
                        + report_html.metrics_table(list(s["by_task_type"].items()), "per task type"))
    for k, r in enumerate(runs):
        if r.curves and report_plots.training_curves(r.name, r.curves, out / f"curves_{k}.png"):
            sections.append(f"<h2>Training: {report_html.escape(r.name)}</h2>"
                            f'<img class=plot src="curves_{k}.png" alt="training curves">')

    shown = []
    for k, r in enumerate(runs):
        for subset, eps in r.episodes.items():
            for folder, ep in eps[:viewer_episodes]:
                shown.append({"run": r.name, **viewer_episode(k, subset, folder, ep, out / "episodes", boxes)})
    (out / "data.js").write_text("window.REPORT = " + json.dumps({"episodes": shown}, ensure_ascii=False) + ";\n")
    title = "Evaluation report: " + ", ".join(names)
    (out / "index.html").write_text(report_html.page(title, sections, bool(shown)), encoding="utf-8")
    return out / "index.html"


def _names(folders: list[Path]) -> list[str]:
    """Each run's folder name, with its parent's prepended when two would read the same."""
    names = [f.name for f in folders]
    return [f"{f.parent.name}/{f.name}" if names.count(f.name) > 1 else f.name for f in folders]


@hydra.main(config_path="conf", config_name="report", version_base=None)
def main(cfg: DictConfig) -> None:
    if not cfg.runs:
        raise SystemExit("name at least one run folder: python -m eval.report RUN_DIR [RUN_DIR ...]")
    folders = [Path(r) for r in cfg.runs]
    out = Path(cfg.out) if cfg.out else folders[0] / "report"
    names = list(cfg.names) if cfg.names else None
    if names and len(names) != len(folders):
        raise SystemExit(f"names has {len(names)} entries for {len(folders)} runs")
    index = build(folders, out, names, cfg.viewer_episodes, cfg.boxes)
    print(f"report: {index.resolve()} (open it in a browser)")


if __name__ == "__main__":
    # `python -m eval.report DIR [DIR ...]` as well as `runs=[DIR,...]`
    runs = [a for a in sys.argv[1:] if "=" not in a and not a.startswith("-")]
    rest = [a for a in sys.argv[1:] if a not in runs]
    sys.argv[1:] = rest + ([f"runs=[{','.join(runs)}]"] if runs else [])
    main()
