"""The `qwen` policy on the tiny model: the whole path from a model folder to recorded episodes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.loop import LoopConfig, run_episodes
from agent.policies import make_policy
from agent.prompts import make_format
from tests.agent.conftest import make_env

ROOT = Path(__file__).resolve().parents[3]


def test_rollout_with_the_tiny_model_completes_episodes_and_records_invalid_replies(tiny_model, tmp_path):
    r = subprocess.run([sys.executable, "-m", "agent.rollout", "policy=qwen", f"policy.path={tiny_model}",
                        "policy.max_new_tokens=24", "prompt=compact", "episodes=2", "parallel=2",
                        "record.video=false", f"out={tmp_path}", "progress=false"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for folder in sorted(tmp_path.glob("episode_*")):
        ep = json.loads((folder / "episode.json").read_text())
        m = ep["metrics"]
        assert m["num_invalid_actions"] == 10 and m["task_success"] == 0.0  # random weights: nonsense replies
        unreadable = [s for s in ep["steps"] if s["action_id"] is None]
        assert len(unreadable) == m["planner_output_error"] > 0
        assert all(s["feedback"].startswith("Last action is invalid.") and s["output"] for s in unreadable)
        turn = json.loads((folder / "messages.json").read_text())[0]
        assert turn["messages"][1]["content"][0] == {"type": "image", "image": "frames/step_000.png"}


def test_decisions_carry_token_ids_and_logprobs_for_training(tiny_model):
    fmt = make_format("eb")
    policy = make_policy("qwen", fmt, path=str(tiny_model), max_new_tokens=8, temperature=1.0, seed=3)
    seen = []

    class Keep:
        name = "keep"

        def act(self, inputs):
            decisions = policy.act(inputs)
            seen.extend(decisions)
            return decisions

    run_episodes([make_env(resolution=224)], Keep(), fmt, [(0, 0)], LoopConfig(max_invalid=2))
    assert len(seen) == 2
    for d in seen:
        t = d.tokens
        assert t.image_tokens == 64 and len(t.completion_ids) == len(t.logprobs) <= 8
        assert d.text == policy.processor.tokenizer.decode(t.completion_ids, skip_special_tokens=True)
        assert d.plan.error  # random weights do not write EB's JSON


def test_vllm_engine_fails_clearly_where_it_cannot_run(tiny_model):
    """engine=vllm needs vLLM and a CUDA GPU; without either the error names what is missing and the way out."""
    import importlib.util

    import torch

    from agent.policies.qwen import QwenPolicy
    from agent.prompts import make_format

    if importlib.util.find_spec("vllm") is not None and torch.cuda.is_available():
        pytest.skip("vLLM and a GPU are here: the engine is exercised by bench/generation_speed.py on the device")
    with pytest.raises(RuntimeError, match="engine=transformers") as e:
        QwenPolicy(make_format("compact"), path=str(tiny_model), engine="vllm")
    assert "vllm" in str(e.value).lower()
    with pytest.raises(ValueError, match="engine must be"):
        QwenPolicy(make_format("compact"), path=str(tiny_model), engine="onnx")
