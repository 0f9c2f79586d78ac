"""One ai2thor 2.1.0 Controller and its Unity process, with a deadline on every call.

The 2.1.0 controller blocks without limit: ``start``/``reset``/``step`` wait on a queue that only the
Unity process fills (by POSTing to the controller's Flask server). If Unity dies, hangs or answers
something the server rejects (a 500 on a sequence-id mismatch), the caller waits forever. So every
call runs in a worker thread while this thread watches the clock and the Unity pid; on a timeout or a
dead process it tears everything down (kill Unity, release the server's handler, stop the server) and
raises a ThorBackendError that says what happened. The Controller itself is used unmodified.
"""

from __future__ import annotations

import atexit
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass

from envs.thor.errors import ThorBackendError, ThorTimeout
from envs.thor.prereqs import check_display, find_build, import_ai2thor, resolve_display

POLL = 0.02  # seconds between liveness checks while a call is in flight


@dataclass
class BackendConfig:
    build: str | None = None          # Unity executable or its folder (else $EGOLOOP_THOR_BUILD)
    x_display: str | None = None      # ":1" (else $DISPLAY)
    resolution: int = 500             # EB-ALFRED renders 500x500; ai2thor 2.1.0 refuses < 300
    quality: str = "MediumCloseFitShadows"  # EB-ALFRED's (gen/constants.py)
    timeout: float = 60.0             # seconds any one controller call may take, start included


class ThorBackend:
    """Starts lazily (``start``), then ``reset(scene)`` / ``step(action_dict)`` return ai2thor Events."""

    def __init__(self, cfg: BackendConfig):
        self.cfg = cfg
        self.controller = None
        # Fail fast, in this order: the package, a build on disk, a display that answers.
        self._ai2thor = import_ai2thor()
        self.build = find_build(cfg.build)
        self.display = resolve_display(cfg.x_display)
        check_display(self.display)
        if cfg.resolution < 300:
            raise ValueError(f"ai2thor 2.1.0 renders at 300x300 or more; got resolution={cfg.resolution} "
                             "(the env resizes frames to its own resolution, so ask the backend for >= 300)")

    @property
    def alive(self) -> bool:
        return self.controller is not None

    def scene_names(self) -> list[str]:
        """The scenes ai2thor 2.1.0's build holds (FloorPlan1-30, 201-230, 301-330, 401-430)."""
        return self._ai2thor.Controller.scene_names(None)

    def start(self):
        if self.controller is not None:
            return self.controller.last_event
        c = self._ai2thor.Controller(quality=self.cfg.quality)
        c.local_executable_path = str(self.build)  # with a local path ai2thor never downloads a build
        self.controller = c
        size = int(self.cfg.resolution)
        # ai2thor prepends ':' itself: x_display="1" becomes DISPLAY=:1
        event = self._call(lambda: c.start(player_screen_width=size, player_screen_height=size,
                                           x_display=self.display.lstrip(":")), "start")
        # Registered after ai2thor's own exit hook (which SIGKILLs Unity), so that ours runs first and
        # says goodbye: a caller that never closes the env still leaves no crash report at exit.
        atexit.register(self.close)
        return event

    def reset(self, scene: str):
        self.start()
        return self._call(lambda: self.controller.reset(scene), f"reset({scene!r})")

    def step(self, action: dict):
        if self.controller is None:
            raise ThorBackendError("the THOR backend is not running; reset() the env to start it")
        return self._call(lambda: self.controller.step(action), f"step({action.get('action')!r})")

    # ---- deadline ----------------------------------------------------------------------------
    def _call(self, fn, what: str):
        box: dict = {}

        def run():
            try:
                box["value"] = fn()
            except BaseException as e:  # handed to the caller below
                box["error"] = e

        worker = threading.Thread(target=run, name=f"thor-{what}", daemon=True)
        worker.start()
        deadline = time.monotonic() + self.cfg.timeout
        while worker.is_alive():
            worker.join(POLL)
            if not worker.is_alive():
                break
            if self._unity_exited():
                self.close(force=True)
                raise ThorBackendError(f"the THOR Unity process ({self.build}) exited during {what}; the backend was "
                                       "shut down (reset() starts a new one)")
            if time.monotonic() > deadline:
                self.close(force=True)
                raise ThorTimeout(f"the THOR backend did not answer {what} within {self.cfg.timeout:g} s (env kwarg "
                                  f"`timeout`); it was killed (reset() starts a new one). Build: {self.build}")
        if "error" in box:
            e = box["error"]
            if what == "start" or isinstance(e, (AssertionError, OSError)):
                self.close(force=True)
            if isinstance(e, ValueError) and what.startswith("step("):
                # ai2thor raises ValueError when Unity answers errorCode 'InvalidAction'
                raise ThorBackendError(f"the THOR build rejected {what}: {e}") from e
            raise ThorBackendError(f"THOR {what} failed: {type(e).__name__}: {e}") from e
        return box["value"]

    def _unity_exited(self) -> bool:
        """True once the Unity process ai2thor launched is gone (before it is launched: False)."""
        pid = self.controller.unity_pid if self.controller is not None else None
        return bool(pid) and _exited(pid)

    # ---- shutdown ----------------------------------------------------------------------------
    def close(self, force: bool = False) -> None:
        """Stop Unity and the controller's server. ``force`` skips the polite goodbye (used when the
        backend already misbehaved); either way this returns within about a second once Unity is gone."""
        c, self.controller = self.controller, None
        if c is None:
            return
        atexit.unregister(self.close)
        if not force:
            # ai2thor's stop() says goodbye, stops Unity and then waits up to half a second for its server
            # loop to notice; only Unity's exit is waited for here, the server winds down behind us.
            threading.Thread(target=_stop_politely, args=(c,), daemon=True).start()
            if _wait_exit(c.unity_pid, min(self.cfg.timeout, 5.0)):
                return
        c.killing_unity = True  # first: ai2thor's launcher thread then takes the exit as ours, not a crash
        _kill(c.unity_pid)
        if c.server is not None:
            # A handler blocked waiting for our next action returns once it gets one (the empty dict
            # is ai2thor's own goodbye); a thread blocked waiting for Unity's next frame gets None.
            _offer(c.response_queue, {})
            _offer(c.request_queue, None)
            threading.Thread(target=_shutdown_server, args=(c,), daemon=True).start()


def _stop_politely(c) -> None:
    try:
        c.stop()
    except Exception:  # queue already full, server already down: the forced path cleans up
        pass
    _close_socket(c)


def _shutdown_server(c) -> None:
    c.server.wsgi_server.shutdown()
    _close_socket(c)


def _close_socket(c) -> None:
    try:
        c.server.wsgi_server.server_close()
    except Exception:
        pass


def _exited(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)  # reaps it if ai2thor's launcher thread has not yet
        return waited == pid
    except ChildProcessError:  # already reaped by ai2thor's launcher thread: it has exited
        return True


def _wait_exit(pid: int | None, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid and not _exited(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _offer(q: queue.Queue, item) -> None:
    try:
        q.put_nowait(item)
    except queue.Full:
        pass


def _kill(pid: int | None) -> None:
    # waitpid answers only for our own children, so a pid that exited (and may be reused) is never hit
    if not pid or _exited(pid):
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    _wait_exit(pid, 0.5)  # reap it, unless ai2thor's launcher thread does
