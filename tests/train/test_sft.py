"""`python -m train.sft`: trains on synthesized data, saves a loadable model, resumes after a kill."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.models.load import load_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sft_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("sft_data")
    subprocess.run([sys.executable, "-m", "synth.sft_data", f"out={out}", "n=2", "seed=0", "thoughts=brief"],
                   cwd=ROOT, check=True, capture_output=True)
    return out


def command(tiny_model, data, out, steps=30):
    return [sys.executable, "-m", "train.sft", f"model={tiny_model}", f"data={data}", f"out={out}",
            f"train.max_steps={steps}", "train.save_steps=5", "train.batch_size=4", "train.logging_steps=1",
            "progress=false"]


def test_sft_runs_records_its_inputs_and_saves_a_loadable_model(tiny_model, sft_data, tmp_path):
    r = subprocess.run(command(tiny_model, sft_data, tmp_path, steps=4), cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["data_fingerprint"] == json.loads((sft_data / "card.json").read_text())["fingerprint"]
    import transformers  # the versions that made the model travel with it
    assert run["packages"]["transformers"] == transformers.__version__ and run["packages"]["trl"]
    assert (tmp_path / ".hydra" / "config.yaml").exists()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["global_step"] == 4 and summary["last_loss"] < summary["first_loss"] + 1e-6
    model, processor = load_model(tmp_path / "final")
    assert type(model).__name__ == "Qwen2VLForConditionalGeneration" and processor.image_processor is not None


def test_killed_mid_run_it_resumes_from_the_last_checkpoint_to_the_same_step_count(tiny_model, sft_data, tmp_path):
    proc = subprocess.Popen(command(tiny_model, sft_data, tmp_path), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (tmp_path / "checkpoint-5" / "trainer_state.json").exists():
        assert proc.poll() is None and time.time() < deadline, "no checkpoint before the run ended"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "summary.json").exists()  # it really died mid-run
    r = subprocess.run(command(tiny_model, sft_data, tmp_path), cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "resuming from" in r.stdout and "checkpoint-" in r.stdout
    assert json.loads((tmp_path / "summary.json").read_text())["global_step"] == 30
