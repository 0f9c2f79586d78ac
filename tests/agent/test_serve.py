"""`agent.serve` on the tiny model, and `agent.rollout policy=openai` against it over loopback."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import uvicorn
from fastapi.testclient import TestClient

from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.policies.openai_policy import data_url
from agent.serve import create_app

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-test-3f9a1c77e2b54d0c"


@pytest.fixture(scope="module")
def app(tiny_model):
    model, processor = load_model(tiny_model)
    return create_app(Generator(model, processor, Sampling(max_new_tokens=24)), "tiny", api_key=SECRET)


def request(image=True, **extra):
    content = [{"type": "text", "text": "Task: find the apple."}]
    if image:
        content.insert(0, {"type": "image_url", "image_url": {"url": data_url(np.zeros((224, 224, 3), np.uint8))}})
    return {"model": "tiny", "messages": [{"role": "user", "content": content}], **extra}


def test_chat_completions_counts_image_tokens_and_honours_sampling_keys(app):
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {SECRET}"}
    r = client.post("/v1/chat/completions", json=request(max_tokens=5, temperature=0.7, seed=1), headers=auth)
    body = r.json()
    assert r.status_code == 200 and body["object"] == "chat.completion"
    assert body["usage"]["prompt_tokens_details"]["image_tokens"] == 64
    assert body["usage"]["completion_tokens"] <= 5 and isinstance(body["choices"][0]["message"]["content"], str)
    same = client.post("/v1/chat/completions", json=request(max_tokens=5, temperature=0.7, seed=1), headers=auth)
    assert same.json()["choices"] == body["choices"]  # a seed makes sampling repeatable
    text_only = client.post("/v1/chat/completions", json=request(image=False, max_tokens=3), headers=auth).json()
    assert text_only["usage"]["prompt_tokens_details"]["image_tokens"] == 0
    assert client.get("/v1/models", headers=auth).json()["data"][0]["id"] == "tiny"


def test_refusals_are_clear(app):
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {SECRET}"}
    assert client.post("/v1/chat/completions", json=request()).status_code == 401
    remote = request()
    remote["messages"][0]["content"][0]["image_url"]["url"] = "https://example.com/a.png"
    r = client.post("/v1/chat/completions", json=remote, headers=auth)
    assert r.status_code == 400 and "data URL" in r.json()["detail"]
    assert client.post("/v1/chat/completions", json=request(stream=True), headers=auth).status_code == 400


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_rollout_through_the_openai_policy_against_our_server(app, tmp_path):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    before = len(app.state.requests)
    try:
        out = tmp_path / "run"
        r = subprocess.run([sys.executable, "-m", "agent.rollout", "policy=openai", "policy.model=tiny",
                            f"policy.base_url=http://127.0.0.1:{port}/v1", "policy.max_tokens=24",
                            "policy.api_key_env=EGOLOOP_TEST_KEY", "episodes=2", "record.video=false",
                            f"out={out}", "progress=false"],
                           cwd=ROOT, capture_output=True, text=True, env={**os.environ, "EGOLOOP_TEST_KEY": SECRET})
    finally:
        server.should_exit = True
        thread.join(10)
    assert r.returncode == 0, r.stderr
    served = app.state.requests[before:]
    assert len(served) >= 2 and all(u["prompt_tokens_details"]["image_tokens"] == 64 for u in served)
    assert len(list(out.glob("episode_*/episode.json"))) == 2
    assert SECRET not in r.stdout + r.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
