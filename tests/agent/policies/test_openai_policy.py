"""The ``openai`` policy against a scripted server on loopback: it retries what may pass (429, 5xx,
timeouts, broken bodies) a bounded number of times, fails at once on other 4xx, turns a final
failure into a recorded invalid step instead of a crash, sends frames as PNG data URLs and EB's JSON
schema (falling back when a server rejects it), and never lets the key reach records or logs."""

import base64
import io
import json
import logging
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from agent.loop import LoopConfig, run_episodes
from agent.policies import make_policy
from agent.policies.openai_policy import OpenAIPolicy, eb_response_format
from agent.policy import PolicyInput
from agent.prompts import make_format
from agent.prompts.eb import KEYS
from agent.recorder import EpisodeWriter
from envs.household.vocab import GLOBAL_ACTIONS
from tests.agent.conftest import make_env
from tests.agent.policies.flaky_server import FlakyServer

ROOT = Path(__file__).resolve().parents[3]
NAMES = list(GLOBAL_ACTIONS)
FIND = NAMES.index("find a Apple")
SECRET = "sk-egoloop-test-5f3a9c0d1e2b4a67"
KEY_ENV = "EGOLOOP_TEST_OPENAI_KEY"


@pytest.fixture
def server():
    with FlakyServer(hang_s=2.0) as s:
        yield s


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv(KEY_ENV, SECRET)
    return SECRET


def policy(server, fmt, **options) -> OpenAIPolicy:
    options = {"timeout_s": 0.5, "backoff_s": 0.01, "max_retries": 4, "api_key_env": KEY_ENV, **options}
    return OpenAIPolicy(fmt, base_url=server.base_url, model="flaky", **options)


def make_input(fmt, instruction="Put an apple in the fridge.", seed=0) -> PolicyInput:
    image = np.random.default_rng(seed).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    inp = PolicyInput(episode_seed=seed, turn=0, step=0, instruction=instruction, image=image,
                      action_names=NAMES, history=(), feedback="", prompt=None, max_steps_left=30, info={})
    return replace(inp, prompt=fmt.build(inp))


def ok(fmt, actions=(FIND,)) -> str:
    return "ok:" + fmt.render(list(actions), NAMES, "find it first")


def test_retries_through_429_500_timeout_and_broken_bodies_then_succeeds(server, caplog):
    fmt = make_format("eb")
    server.push("429", "500", "timeout", "malformed", "nochoices", ok(fmt))
    p = policy(server, fmt, max_retries=5)
    (d,) = p.act([make_input(fmt)])
    assert d.plan.error is None and d.plan.actions == (FIND,)
    assert len(server.requests) == 6  # five retries, not one more
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert len(retries) == 5 and "HTTP 429" in retries[0] and "timed out" in retries[2]
    assert "not JSON" in retries[3] and "no choices" in retries[4]
    assert p.usage["requests"] == 1 and p.usage["prompt_tokens"] > 0


def test_when_every_try_fails_the_decision_carries_the_reason(server, secret):
    fmt = make_format("eb")
    server.default = "500"  # and the error body echoes the Authorization header
    (d,) = policy(server, fmt, max_retries=2).act([make_input(fmt)])
    assert len(server.requests) == 3
    assert d.text == "" and d.plan.actions == ()
    assert d.plan.error.startswith("no reply from the model server after 3 tries: HTTP 500: scripted 500")
    assert secret not in d.plan.error and "[api key]" in d.plan.error


def test_a_final_failure_is_a_recorded_invalid_step_and_the_episode_goes_on(server):
    fmt = make_format("eb")
    server.push("500", "500", "ok:" + fmt.render([], NAMES, "done"))  # turn 1 fails for good, turn 2 stops
    (ep,) = run_episodes([make_env()], policy(server, fmt, max_retries=1), fmt, [(0, 0)], LoopConfig())
    (bad,) = ep.steps
    assert bad.action_id is None and not bad.valid and bad.step == 0
    assert bad.feedback.startswith("Last action is invalid.") and "after 2 tries: HTTP 500" in bad.feedback
    assert ep.metrics["planner_output_error"] == 1 and ep.metrics["empty_plan"] == 1
    turn2 = server.requests[2]["body"]["messages"][0]["content"][1]["text"]
    assert "Step 1, action id -1, (unreadable reply), env feedback: Last action is invalid." in turn2


def test_a_dead_server_ends_episodes_at_the_invalid_cap_without_a_crash(server):
    fmt = make_format("compact")
    server.default = "503"
    eps = run_episodes([make_env(), make_env()], policy(server, fmt, max_retries=0), fmt, [(0, 0), (1, 1)],
                       LoopConfig())
    assert [len(e.steps) for e in eps] == [10, 10] and len(server.requests) == 20
    assert all(e.metrics["planner_output_error"] == 10 and e.metrics["num_steps"] == 0 for e in eps)


def test_an_unreachable_server_is_retried_then_reported():
    closed = FlakyServer()
    url = closed.base_url
    closed._http.server_close()  # nothing listens there now
    fmt = make_format("compact")
    (d,) = OpenAIPolicy(fmt, base_url=url, timeout_s=0.5, backoff_s=0.01, max_retries=1).act([make_input(fmt)])
    assert d.plan.error.startswith("no reply from the model server after 2 tries: connection failed")


@pytest.mark.parametrize("code", ["401", "403", "404"])
def test_other_4xx_fail_at_once(server, secret, code):
    fmt = make_format("compact")
    server.push(code, ok(fmt))
    (d,) = policy(server, fmt).act([make_input(fmt)])
    assert len(server.requests) == 1
    assert d.plan.error.startswith(f"the model server refused the request: HTTP {code}")
    assert secret not in d.plan.error


def test_frames_arrive_as_png_data_urls_with_the_key_and_eb_asks_for_its_schema(server, secret):
    fmt = make_format("eb")
    server.push(ok(fmt))
    inp = make_input(fmt)
    policy(server, fmt).act([inp])
    (req,) = server.requests
    assert req["headers"]["authorization"] == f"Bearer {secret}"
    body = req["body"]
    image, text = body["messages"][0]["content"]
    assert text["type"] == "text" and "action id 0:" in text["text"]
    url = image["image_url"]["url"]
    assert image["type"] == "image_url" and url.startswith("data:image/png;base64,")
    sent = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    assert np.array_equal(sent, inp.image)
    assert body["response_format"] == eb_response_format()
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == list(KEYS) and schema["properties"]["executable_plan"]["type"] == "array"
    assert body["temperature"] == 0.0 and body["max_tokens"] == 2048 and "seed" not in body


def test_compact_sends_no_schema_and_plain_text_messages_as_strings(server):
    fmt = make_format("compact")
    server.push("ok:<think>t</think><action>find a Apple</action>")
    (d,) = policy(server, fmt, seed=3).act([make_input(fmt)])
    assert d.plan.actions == (FIND,)
    body = server.requests[0]["body"]
    assert "response_format" not in body and isinstance(body["seed"], int)
    system, user = body["messages"]
    assert isinstance(system["content"], str) and user["content"][0]["type"] == "image_url"


def test_a_server_that_rejects_the_schema_is_asked_without_it_for_the_rest_of_the_run(server):
    fmt = make_format("eb")
    server.push("400", ok(fmt), ok(fmt))
    p = policy(server, fmt)
    assert p.act([make_input(fmt)])[0].plan.actions == (FIND,)
    assert p.act([make_input(fmt)])[0].plan.actions == (FIND,)
    assert ["response_format" in r["body"] for r in server.requests] == [True, False, False]


def test_a_400_without_a_schema_to_drop_is_not_retried(server):
    fmt = make_format("eb")
    server.push("400", "400", ok(fmt))
    (d,) = policy(server, fmt).act([make_input(fmt)])
    assert len(server.requests) == 2 and "refused the request: HTTP 400" in d.plan.error


def test_batched_replies_come_back_in_input_order(server):
    fmt = make_format("compact")
    server.default = "echo"
    inputs = [make_input(fmt, f"Task number {k}.", seed=k) for k in range(9)]
    texts = policy(server, fmt, concurrency=4).generate(inputs)
    assert [t.split("\n")[0] for t in texts] == [f"Task: Task number {k}." for k in range(9)]
    assert len(server.requests) == 9


def test_the_key_reaches_no_record_and_no_log(server, secret, tmp_path, caplog, capfd):
    caplog.set_level(logging.DEBUG)  # the openai client's and httpx's debug logs too
    fmt = make_format("eb")
    server.push(ok(fmt), "500", ok(fmt), "401")  # an error body that echoes the key, retried and not
    server.default = "ok:" + fmt.render([], NAMES, "done")
    p = make_policy("openai", fmt, base_url=server.base_url, api_key_env=KEY_ENV, backoff_s=0.01)

    def writer_for(index, seed):
        return EpisodeWriter(tmp_path / f"episode_{index:04d}", frames=True, video=False)

    eps = run_episodes([make_env(), make_env()], p, fmt, [(0, 0), (1, 1)], LoopConfig(), writer_for)
    assert len(eps) == 2 and all(r["headers"]["authorization"] == f"Bearer {secret}" for r in server.requests)
    feedback = [s.feedback for e in eps for s in e.steps]
    assert any("HTTP 401" in f and "[api key]" in f for f in feedback)
    assert secret not in repr(p)
    files = [f for f in tmp_path.rglob("*") if f.is_file()]
    assert any(f.name == "episode.json" for f in files) and any(f.suffix == ".png" for f in files)
    assert not [f for f in files if secret.encode() in f.read_bytes()]
    out, err = capfd.readouterr()
    assert "retry 1 of 4" in caplog.text and secret not in caplog.text + out + err


def test_the_rollout_cli_with_policy_openai_keeps_the_key_out_of_its_output(server, secret, tmp_path):
    fmt = make_format("eb")
    server.push(ok(fmt), "500", "401")
    server.default = "ok:" + fmt.render([], NAMES, "done")
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "agent.rollout", "policy=openai", f"policy.base_url={server.base_url}",
                        f"policy.api_key_env={KEY_ENV}", "policy.backoff_s=0.01", "episodes=1", "n_shots=0",
                        "resolution=32", "record.video=false", "progress=false", f"out={out}"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    (ep,) = [json.loads(p.read_text()) for p in out.glob("episode_*/episode.json")]
    assert ep["policy"] == "openai" and ep["metrics"]["planner_output_error"] == 1
    assert len(server.requests) == 4 and server.requests[0]["body"]["model"] == "gpt-4o"
    assert (out / ".hydra" / "config.yaml").exists()
    leaked = [f for f in tmp_path.rglob("*") if f.is_file() and secret.encode() in f.read_bytes()]
    assert not leaked and secret not in r.stdout + r.stderr
