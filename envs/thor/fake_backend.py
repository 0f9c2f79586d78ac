"""A fake AI2-THOR 2.1.0 "Unity" process, for tests of the real ``ai2thor.controller.Controller``.

It speaks 2.1.0's wire protocol exactly: started by the controller with ``-screen-width/-height`` and
``AI2THOR_HOST/PORT/CLIENT_TOKEN`` in its environment, it POSTs a multipart form (``metadata`` JSON,
``token``, the RGB frame as raw bottom-up HxWx3 bytes) to ``/train``; the reply is the next action
(JSON); an empty action means goodbye. The world behind it is ``fake_world`` (a small kitchen with
THOR's metadata fields and rules; no physics, no rendering).

Faults for tests, from ``$EGOLOOP_FAKE_THOR_FAULT`` (comma-separated): ``exit_at_start``,
``hang_at_start``, ``die:<Action>``, ``hang:<Action>``, ``bad_sequence:<Action>``.

Standalone on purpose (stdlib + numpy, no egoloop imports when run): ``write_fake_build`` wraps it in
a launcher script that runs it with this interpreter, which is what ai2thor starts as "the build".
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

if __package__:
    from envs.thor.fake_world import Fake
else:  # run as a script by the launcher: this folder is sys.path[0], and envs need not be importable
    from fake_world import Fake

BOUNDARY = "----fakeunityboundary"


def _part(name: str, body: bytes, ctype: str, filename: str | None = None) -> bytes:
    disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    # 2.1.0's parser wants the exact header name "Content-disposition" and no ':' in header values
    return f"--{BOUNDARY}\r\nContent-Type: {ctype}\r\nContent-disposition: {disp}\r\n\r\n".encode() + body + b"\r\n"


def post(url: str, token: str, meta: dict, image: bytes, image_ids: bytes | None = None) -> dict:
    body = (b"\r\n"  # the parser looks for CRLF + boundary, so the first one needs a CRLF before it
            + _part("metadata", json.dumps(meta).encode(), "text/plain; charset=utf-8")
            + _part("token", token.encode(), "text/plain; charset=utf-8")
            + _part("image", image, "application/octet-stream", "frame")
            + (_part("image_ids", image_ids, "application/octet-stream", "frame") if image_ids else b"")
            + f"--{BOUNDARY}--\r\n".encode())
    req = urllib.request.Request(url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def _arg(args: list[str], flag: str, default: int) -> int:
    return int(args[args.index(flag) + 1]) if flag in args else default


def _fault(faults: list[str], kind: str, action: str | None = None) -> bool:
    return any(f == kind or f == f"{kind}:{action}" for f in faults)


def main(argv: list[str]) -> int:
    url = f"http://{os.environ['AI2THOR_HOST']}:{os.environ['AI2THOR_PORT']}/train"
    token = os.environ.get("AI2THOR_CLIENT_TOKEN", "")
    faults = [f for f in os.environ.get("EGOLOOP_FAKE_THOR_FAULT", "").split(",") if f]
    fake = Fake(_arg(argv, "-screen-width", 300), _arg(argv, "-screen-height", 300), faults)
    if _fault(faults, "exit_at_start"):
        return 3
    while _fault(faults, "hang_at_start"):
        time.sleep(1)
    meta = fake.metadata("Startup", True, "", "", None)
    while True:
        try:
            ids = None
            if fake.render_ids:
                ids, meta["agents"][0]["colors"], meta["agents"][0]["colorBounds"] = fake.segmentation()
            action = post(url, token, meta, fake.frame(), ids)
        except (urllib.error.URLError, ConnectionError):  # the controller is gone or refused the frame
            return 4
        if not action:  # the controller's stop(): goodbye
            return 0
        name = action.get("action")
        if _fault(faults, "die", name):
            return 5
        while _fault(faults, "hang", name):
            time.sleep(1)
        fake.seq = action.get("sequenceId", fake.seq)
        ok, err, code, ret = fake.act(action)
        meta = fake.metadata(name, ok, err, code, ret)
        if _fault(faults, "bad_sequence", name):
            meta["sequenceId"] = fake.seq + 1000


# ---- helpers for tests and demos: a "build" and an "X display" made of scripts ------------------
def write_fake_build(folder: str | os.PathLike) -> Path:
    """An executable ``thor-fake/thor-fake`` (the layout of a real release folder) that runs this file
    with the current interpreter. Point the env's ``build`` kwarg (or $EGOLOOP_THOR_BUILD) at it."""
    d = Path(folder) / "thor-fake"
    d.mkdir(parents=True, exist_ok=True)
    exe = d / "thor-fake"
    exe.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{Path(__file__).resolve()}' \"$@\"\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return exe


def write_fake_xdpyinfo(folder: str | os.PathLike, answers: bool = True) -> Path:
    """A folder holding an ``xdpyinfo`` that succeeds (or fails): put it first on PATH and both the env's
    display check and ai2thor's own one accept (or refuse) any DISPLAY, with no X server. The fake
    backend draws its frames with numpy, so it needs none."""
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    exe = d / "xdpyinfo"
    exe.write_text(f"#!/bin/sh\nexit {0 if answers else 1}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return d


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
