"""Serve a local model as an OpenAI-compatible chat-completions endpoint, so that other harnesses
(EmbodiedBench's ``remote_url``, VAGEN, lmms-eval...) can evaluate a policy trained here.

    python -m agent.serve runs/tiny-qwen2vl port=8000        (or path=...; adapter=...)

``POST /v1/chat/completions`` takes text and ``image_url`` parts (base64 data URLs; remote URLs
are refused, nothing is fetched), ``temperature``, ``top_p``, ``max_tokens`` and ``seed``, and
answers with usage counts that include the prompt's image tokens. ``GET /v1/models`` lists the
model. With ``api_key_env`` set, requests must carry that variable's value as a bearer token.
Requests are served one at a time (one model, one generate call).
"""

from __future__ import annotations

import base64
import io
import os
import sys
import threading
import time
from pathlib import Path

import hydra
import numpy as np
from fastapi import FastAPI, Header, HTTPException
from omegaconf import DictConfig
from PIL import Image
from pydantic import BaseModel, ConfigDict

from agent.models.generate import Generator, Sampling
from agent.policy import Prompt


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # response_format, logprobs...: accepted, not used
    model: str | None = None
    messages: list[dict]
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    seed: int | None = None
    n: int = 1
    stream: bool = False


def to_prompt(messages: list[dict]) -> Prompt:
    """OpenAI messages -> our Prompt (image parts become placeholders plus decoded arrays)."""
    out, images = [], []
    for m in messages:
        content = m.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        converted = []
        for part in parts:
            kind = part.get("type")
            if kind == "text":
                converted.append({"type": "text", "text": part.get("text", "")})
            elif kind == "image_url":
                url = part.get("image_url", {}).get("url", "")
                if not url.startswith("data:image/"):
                    raise HTTPException(400, "images must be base64 data URLs (data:image/png;base64,...)")
                raw = base64.b64decode(url.split(",", 1)[1])
                images.append(np.asarray(Image.open(io.BytesIO(raw)).convert("RGB")))
                converted.append({"type": "image"})
            else:
                raise HTTPException(400, f"unsupported content part type {kind!r}")
        out.append({"role": m.get("role", "user"), "content": converted})
    return Prompt(out, images, tuple(range(len(images))))


def create_app(generator: Generator, model_name: str, api_key: str | None = None) -> FastAPI:
    app = FastAPI(title="egoloop policy server")
    app.state.requests = []  # usage per request, for operators and tests
    lock = threading.Lock()

    def authorize(authorization: str | None) -> None:
        if api_key is not None and authorization != f"Bearer {api_key}":
            raise HTTPException(401, "missing or wrong API key")

    @app.get("/v1/models")
    def models(authorization: str | None = Header(default=None)):
        authorize(authorization)
        return {"object": "list", "data": [{"id": model_name, "object": "model", "owned_by": "egoloop"}]}

    @app.post("/v1/chat/completions")
    def chat(req: ChatRequest, authorization: str | None = Header(default=None)):
        authorize(authorization)
        if req.stream or req.n != 1:
            raise HTTPException(400, "only stream=false and n=1 are supported")
        prompt = to_prompt(req.messages)
        base = generator.sampling
        sampling = Sampling(req.max_completion_tokens or req.max_tokens or base.max_new_tokens,
                            base.temperature if req.temperature is None else req.temperature,
                            base.top_p if req.top_p is None else req.top_p, base.top_k)
        with lock:
            try:
                (gen,) = generator.generate([prompt], seed=req.seed, sampling=sampling)
            except ValueError as e:  # e.g. image placeholders that do not match the images
                raise HTTPException(400, str(e)) from None
        finished = bool(gen.completion_ids) and gen.completion_ids[-1] == generator.eos
        usage = {"prompt_tokens": len(gen.prompt_ids), "completion_tokens": len(gen.completion_ids),
                 "total_tokens": len(gen.prompt_ids) + len(gen.completion_ids),
                 "prompt_tokens_details": {"cached_tokens": 0, "image_tokens": gen.image_tokens}}
        app.state.requests.append(usage)
        return {"id": f"chatcmpl-{len(app.state.requests)}", "object": "chat.completion", "created": int(time.time()),
                "model": model_name, "usage": usage,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": gen.text},
                             "finish_reason": "stop" if finished else "length"}]}

    return app


@hydra.main(config_path="conf", config_name="serve", version_base=None)
def main(cfg: DictConfig) -> None:
    import uvicorn
    from transformers.utils import logging as hf_logging

    from agent.models.load import load_model

    hf_logging.disable_progress_bar()
    model, processor = load_model(cfg.path, cfg.adapter, cfg.dtype, cfg.device)
    generator = Generator(model, processor, Sampling(cfg.max_new_tokens, cfg.temperature, cfg.top_p, cfg.top_k))
    key = os.environ.get(cfg.api_key_env) if cfg.api_key_env else None
    if cfg.api_key_env and not key:
        raise SystemExit(f"api_key_env={cfg.api_key_env} but that environment variable is not set")
    name = cfg.model_name or Path(cfg.path).name
    print(f"serving {name} at http://{cfg.host}:{cfg.port}/v1 (POST /chat/completions)", flush=True)
    uvicorn.run(create_app(generator, name, key), host=cfg.host, port=cfg.port, log_level=cfg.log_level)


if __name__ == "__main__":
    sys.argv[1:] = [a if ("=" in a or a.startswith("-")) else f"path={a}" for a in sys.argv[1:]]
    main()
