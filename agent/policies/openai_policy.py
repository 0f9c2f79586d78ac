"""Any OpenAI-compatible chat-completions endpoint as a policy: OpenAI itself, vLLM, SGLang, or our
own ``python -m agent.serve``, through the official ``openai`` client.

The key comes from an environment variable named in the config, never from the config itself, so it
cannot reach Hydra's saved config or the records; server error texts are scrubbed of it before they
are logged or recorded, because some servers echo what they were sent.

Endpoints fail: rate limits, restarts, proxies that time out or cut a body short. Each request gets
bounded retries with exponential backoff, and a request that still fails becomes a ``Plan`` with
``error``, which the loop records as an invalid step with feedback (like an unreadable reply), so a
long evaluation survives a flaky server instead of dying mid-run. ``act`` never raises.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import openai
from PIL import Image

from agent.policy import Decision, Plan, PolicyInput, Prompt, TextPolicy
from agent.prompts.eb import KEYS

log = logging.getLogger(__name__)

PLACEHOLDER_KEY = "EMPTY"  # what vLLM and most local servers accept when they check no key
RETRY_STATUS = {408, 409, 429}  # and every 5xx: the same request may succeed later
SCHEMA_REJECTED = {400, 422}  # 422: FastAPI-based servers reject a field they do not know this way
MAX_RETRY_AFTER_S = 60.0  # a server's Retry-After is honoured up to this


class _Unusable(Exception):
    """A 200 reply with no text in it (a body cut short, no choices): worth another try."""


class OpenAIPolicy(TextPolicy):
    name = "openai"

    def __init__(self, prompt_format, base_url: str | None = None, model: str = "gpt-4o",
                 api_key_env: str = "OPENAI_API_KEY", temperature: float = 0.0, max_tokens: int = 2048,
                 top_p: float | None = None, seed: int | None = None, timeout_s: float = 60.0,
                 max_retries: int = 4, backoff_s: float = 1.0, json_schema: bool = True, concurrency: int = 4):
        super().__init__(prompt_format)
        self._key = os.environ.get(api_key_env) or PLACEHOLDER_KEY
        # The client's own retries are off: they would not retry an unusable 200 reply, and ours log
        # each retry and turn the last failure into a recorded step instead of an exception.
        self.client = openai.OpenAI(api_key=self._key, base_url=base_url, timeout=timeout_s, max_retries=0)
        self.model, self.temperature, self.max_tokens, self.top_p = model, temperature, max_tokens, top_p
        self.seed, self.timeout_s = seed, timeout_s
        self.max_retries, self.backoff_s = max(int(max_retries), 0), backoff_s
        self.concurrency = max(int(concurrency), 1)
        eb = getattr(prompt_format, "name", None) == "eb"
        self.response_format = eb_response_format(prompt_format.language_only) if json_schema and eb else None
        self.usage = {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0}
        self._lock = threading.Lock()

    def act(self, inputs: list[PolicyInput]) -> list[Decision]:
        out = []
        for inp, (text, error) in zip(inputs, self._map(inputs)):
            out.append(Decision(text, Plan(error=error)) if error else
                       Decision(text, self.format.parse(text, inp.action_names)))
        return out

    def generate(self, inputs: list[PolicyInput]) -> list[str]:
        """One reply per input, in order; "" where the request failed for good (``act`` says why)."""
        return [text for text, _ in self._map(inputs)]

    def _map(self, inputs: list[PolicyInput]) -> list[tuple[str, str | None]]:
        if len(inputs) <= 1 or self.concurrency == 1:
            return [self._complete(i) for i in inputs]
        with ThreadPoolExecutor(min(self.concurrency, len(inputs))) as pool:
            return list(pool.map(self._complete, inputs))  # map keeps input order

    def _complete(self, inp: PolicyInput) -> tuple[str, str | None]:
        """(text, None), or ("", why) once the retries are spent or the server refuses outright."""
        try:
            kwargs = self._request(inp)
        except Exception as e:  # a prompt we cannot send is a bug, but it must not end a long run
            return "", self._fail(f"the prompt could not be sent: {type(e).__name__}: {e}")
        tries = self.max_retries + 1
        for attempt in range(tries):
            try:
                return self._call(kwargs), None
            except openai.APIStatusError as e:
                if e.status_code not in RETRY_STATUS and e.status_code < 500:
                    return "", self._fail(f"the model server refused the request: {self._describe(e)}")
                why, wait = self._describe(e), _retry_after(e)
            except (openai.APIConnectionError, _Unusable) as e:  # timeouts are connection errors too
                why, wait = self._describe(e), 0.0
            except Exception as e:  # anything else the client raises: do not let it end the run
                return "", self._fail(f"the request failed: {self._describe(e)}")
            if attempt + 1 < tries:
                delay = max(self.backoff_s * 2 ** attempt, wait)
                log.warning("model server: %s; retry %d of %d in %.2fs", why, attempt + 1, self.max_retries, delay)
                time.sleep(delay)
        return "", self._fail(f"no reply from the model server after {tries} tries: {why}")

    def _request(self, inp: PolicyInput) -> dict:
        kwargs = {"model": self.model, "messages": to_openai_messages(inp.prompt),
                  "temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.top_p is not None:
            kwargs["top_p"] = self.top_p
        if self.seed is not None:  # from (seed, episode, turn) like every policy: parallel= changes nothing
            kwargs["seed"] = int(np.random.default_rng([self.seed, inp.episode_seed, inp.turn]).integers(2**31))
        return kwargs

    def _call(self, kwargs: dict) -> str:
        schema = self.response_format  # read once: another thread may drop it meanwhile
        if schema is not None:
            try:
                return self._send({**kwargs, "response_format": schema})
            except openai.APIStatusError as e:
                if e.status_code not in SCHEMA_REJECTED:
                    raise
                # Many servers know no json_schema; the prompt asks for the same JSON, so ask plainly
                # and stop offering the schema for the rest of the run.
                with self._lock:
                    first, self.response_format = self.response_format is not None, None
                if first:
                    log.warning("the model server rejected response_format (%s); asking without it from now on",
                                self._describe(e))
        return self._send(kwargs)

    def _send(self, kwargs: dict) -> str:
        try:
            reply = self.client.chat.completions.create(**kwargs)
        except ValueError as e:  # the body was not JSON (cut short by a proxy or a crashing server)
            raise _Unusable(f"the reply body is not JSON ({e})") from None
        try:
            text = reply.choices[0].message.content
        except (AttributeError, IndexError, KeyError, TypeError):
            raise _Unusable("the reply has no choices") from None
        if not isinstance(text, str):
            raise _Unusable("the reply has no text content")
        usage = getattr(reply, "usage", None)
        with self._lock:
            self.usage["requests"] += 1
            self.usage["prompt_tokens"] += getattr(usage, "prompt_tokens", 0) or 0
            self.usage["completion_tokens"] += getattr(usage, "completion_tokens", 0) or 0
        return text

    def _describe(self, e: Exception) -> str:
        if isinstance(e, openai.APIStatusError):
            body = e.body if isinstance(e.body, dict) else {}
            text = f"HTTP {e.status_code}: {body.get('message') or e.message}"
        elif isinstance(e, openai.APITimeoutError):
            text = f"timed out after {self.timeout_s}s"
        elif isinstance(e, openai.APIConnectionError):
            text = f"connection failed ({e.__cause__ or e})"
        elif isinstance(e, _Unusable):
            text = str(e)
        else:
            text = f"{type(e).__name__}: {e}"
        return self._scrub(text if len(text) <= 300 else text[:300] + "...")

    def _fail(self, error: str) -> str:
        error = self._scrub(error)
        log.error("%s", error)
        return error

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "[api key]") if self._key != PLACEHOLDER_KEY else text

    def __repr__(self) -> str:
        return f"OpenAIPolicy(model={self.model!r}, base_url={str(self.client.base_url)!r})"


def to_openai_messages(prompt: Prompt) -> list[dict]:
    """Our messages with each ``{"type": "image"}`` replaced by the next image as a PNG data URL."""
    images = iter(prompt.images)
    out = []
    for m in prompt.messages:
        content = m["content"]
        if not isinstance(content, str):
            content = [_part(c, images) for c in content]
            if len(content) == 1 and content[0].get("type") == "text":
                content = content[0]["text"]  # some servers' chat templates take only strings (system role)
        out.append({**m, "content": content})
    if next(images, None) is not None:
        raise ValueError(f"the prompt has {len(prompt.images)} images but fewer image placeholders")
    return out


def _part(c: dict, images) -> dict:
    if c.get("type") != "image":
        return c
    image = next(images, None)
    if image is None:
        raise ValueError("the prompt has more image placeholders than images")
    return {"type": "image_url", "image_url": {"url": data_url(image)}}


def data_url(image: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(image)).save(buf, format="PNG")  # lossless: the model sees our exact frame
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def eb_response_format(language_only: bool = False) -> dict:
    """EmbodiedBench's reply as a JSON schema: the four fields, the plan a list of (id, name)."""
    keys = KEYS[1:] if language_only else KEYS
    step = {"type": "object", "properties": {"action_id": {"type": "integer"}, "action_name": {"type": "string"}},
            "required": ["action_id", "action_name"], "additionalProperties": False}
    props = {k: {"type": "string"} for k in keys if k != "executable_plan"}
    props["executable_plan"] = {"type": "array", "items": step}
    schema = {"type": "object", "properties": props, "required": list(keys), "additionalProperties": False}
    return {"type": "json_schema", "json_schema": {"name": "embodied_plan", "strict": True, "schema": schema}}


def _retry_after(e: openai.APIStatusError) -> float:
    try:
        return min(float(e.response.headers.get("retry-after", 0)), MAX_RETRY_AFTER_S)
    except (TypeError, ValueError, AttributeError):
        return 0.0
