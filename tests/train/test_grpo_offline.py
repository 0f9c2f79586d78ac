"""`python -m train.grpo_offline` on each synthesized set, a small budget each, so none can silently break."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILDERS = {"planning": ("synth.planning_data", []), "videoqa": ("synth.videoqa", ["questions_per_episode=2"]),
            "grounding": ("synth.grounding", ["per_episode=2"])}


def run(module, *args):
    r = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_a_grpo_step_on_each_dataset_with_its_rewards(kind, tiny_model, tmp_path):
    module, extra = BUILDERS[kind]
    data = tmp_path / "data"
    run(module, f"out={data}", "n=2", "seed=0", *extra)
    out = tmp_path / "grpo"
    stdout = run("train.grpo_offline", f"model={tiny_model}", f"data={data}", f"kind={kind}", f"out={out}",
                 "train.max_steps=2", "train.logging_steps=1", "train.max_completion_length=12",
                 "train.num_generations=2", "train.batch_size=2", "progress=false")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["global_step"] == 2 and len(summary["reward_curve"]) == 2
    assert all(0.0 <= c["reward"] <= 4.0 for c in summary["reward_curve"])
    assert "mean reward per logging step" in stdout and (out / "final" / "model.safetensors").exists()
