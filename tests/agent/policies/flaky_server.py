"""A scripted OpenAI-compatible ``/v1/chat/completions`` server on loopback, for testing clients
against the ways real endpoints fail.

Each request takes the next behaviour from the script (then ``default``):

    "ok:<text>"   a proper completion whose message content is <text>, with usage
    "echo"        a completion whose content is the request's last text part (tests batch order)
    "malformed"   200 with a JSON body cut off half-way
    "nochoices"   200 with a well-formed completion that has no ``choices``
    "timeout"     no answer for ``hang_s`` seconds (longer than the client's timeout)
    "<code>"      that HTTP status (429, 500, 400, 401, ...) with an OpenAI-style error body that
                  echoes the Authorization header, as careless servers do, so tests can check the
                  client scrubs the key from what it reports

Every request is recorded (path, headers with lower-case names, parsed body) in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FlakyServer:
    def __init__(self, script=(), default: str = "ok:", hang_s: float = 1.0):
        self.script, self.default, self.hang_s = deque(script), default, hang_s
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._http.daemon_threads = True  # a "timeout" handler still asleep must not hold up shutdown
        self._http.owner = self
        # a short poll interval: shutdown() waits up to one interval, once per test
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.02,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def push(self, *behaviours: str) -> None:
        with self._lock:
            self.script.extend(behaviours)

    def _next(self, request: dict) -> str:
        with self._lock:
            self.requests.append(request)
            return self.script.popleft() if self.script else self.default

    def __enter__(self) -> FlakyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._http.shutdown()
        self._http.server_close()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        owner: FlakyServer = self.server.owner
        behaviour = owner._next({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
        kind, _, text = behaviour.partition(":")
        if kind == "echo":
            kind, text = "ok", _last_text(body)
        if kind == "ok":
            n = sum(len(json.dumps(m)) for m in (body or {}).get("messages", [])) // 4
            return self._send(200, {
                "id": f"chatcmpl-{len(owner.requests)}", "object": "chat.completion", "created": 0,
                "model": (body or {}).get("model", "flaky"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": n, "completion_tokens": len(text) // 4 + 1,
                          "total_tokens": n + len(text) // 4 + 1}})
        if kind == "malformed":
            return self._send(200, b'{"id": "chatcmpl-x", "object": "chat.completion", "choices": [{"mess')
        if kind == "nochoices":
            return self._send(200, {"id": "chatcmpl-x", "object": "chat.completion", "created": 0, "model": "flaky"})
        if kind == "timeout":
            time.sleep(owner.hang_s)
            return self._send(200, {"error": {"message": "too late"}})
        code = int(kind)
        auth = self.headers.get("Authorization", "")
        self._send(code, {"error": {"message": f"scripted {code}; you sent Authorization: {auth}",
                                    "type": "scripted", "code": str(code)}})

    def _send(self, code: int, payload) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (a "timeout" reply arriving too late)
            pass


def _last_text(body) -> str:
    content = (body or {}).get("messages", [{}])[-1].get("content", "")
    if isinstance(content, str):
        return content
    return [c.get("text", "") for c in content if c.get("type") == "text"][-1]
