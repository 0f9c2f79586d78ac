"""`python -m eval.stages`: each stage evaluated on the same tasks, the paired gain, the table files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.stages import paired_gain

ROOT = Path(__file__).resolve().parents[2]


def summary(successes: dict[str, list[float]]) -> dict:
    return {"episodes": {s: [{"index": i, "task_success": v} for i, v in enumerate(vs)] for s, vs in successes.items()}}


def test_paired_gain_compares_the_same_tasks():
    before = summary({"base": [0, 0, 1, 0], "spatial": [1, 0]})
    after = summary({"base": [1, 0, 1, 1], "spatial": [1, 1]})
    g = paired_gain(before, after)
    diffs = [1, 0, 0, 1, 0, 1]  # per task, in (subset, index) order
    mean = sum(diffs) / 6
    sd = (sum((d - mean) ** 2 for d in diffs) / 5) ** 0.5
    assert g["mean"] == pytest.approx(0.5) and g["ci95"] == pytest.approx(1.96 * sd / 6 ** 0.5)


@pytest.mark.slow
def test_stage_table_runs_each_stage_on_the_same_tasks(tmp_path, tiny_model):
    stages = f"stages=[{{name: zero, path: {tiny_model}}}, {{name: again, path: {tiny_model}}}]"
    r = subprocess.run([sys.executable, "-m", "eval.stages", stages, "episodes_per_subset=2", "policy.max_new_tokens=8",
                        f"out={tmp_path}", "progress=false", "extra=['max_invalid=2']"], cwd=ROOT, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    table = json.loads((tmp_path / "stages.json").read_text())
    assert [s["stage"] for s in table["stages"]] == ["zero", "again"]
    assert table["stages"][1]["gain_vs_previous"]["mean"] == 0.0  # the same greedy model on the same tasks
    md = (tmp_path / "stages.md").read_text()
    assert "| zero | 2 |" in md and "gain vs previous" in md and "test scenes" in md
    assert (tmp_path / "report" / "index.html").exists() and "| again |" in r.stdout
    ids = [[e["task_id"] for e in json.loads((tmp_path / n / "summary.json").read_text())["episodes"]["base"]]
           for n in ("zero", "again")]
    assert ids[0] == ids[1]
