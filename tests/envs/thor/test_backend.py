"""The real, unmodified ai2thor 2.1.0 Controller against the fake Unity backend: wire protocol, frame
decoding, backend errors, a backend that dies or hangs (clean error within the timeout), shutdown."""

import os
import time

import numpy as np
import pytest

pytest.importorskip("ai2thor", reason="needs the thor extra: pip install 'egoloop[thor]'")

from envs.thor.backend import BackendConfig, ThorBackend  # noqa: E402
from envs.thor.errors import ThorBackendError, ThorTimeout  # noqa: E402

pytestmark = pytest.mark.timeout(30)
TIMEOUT = 2.0
# ai2thor's launcher thread raises when "Unity" exits non-zero; in these tests that crash is the point
crash = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


@pytest.fixture
def backend(fake_build, fake_display):
    b = ThorBackend(BackendConfig(build=str(fake_build), resolution=320, timeout=TIMEOUT))
    yield b
    b.close()


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_start_reset_step_and_frame_decoding(backend):
    ev = backend.start()
    assert ev.frame.shape == (320, 320, 3) and ev.frame.dtype == np.uint8
    # the fake draws red 0 at the top row and 255 at the bottom, and sends rows bottom-up as Unity does:
    # the controller's flip must bring them back
    assert ev.frame[0, 0, 0] == 0 and ev.frame[-1, 0, 0] == 255
    ev = backend.reset("FloorPlan201")
    assert ev.metadata["sceneName"] == "FloorPlan201_physics" and ev.metadata["lastActionSuccess"]
    seq = ev.metadata["sequenceId"]
    ev = backend.step(dict(action="TeleportFull", x=0.25, y=0.9, z=0.5, rotation=90.0, horizon=15.0))
    assert ev.metadata["sequenceId"] == seq + 1 and ev.frame[5, 5, 1] == (seq + 1) % 256  # green = sequence id
    agent = ev.metadata["agent"]  # the action's arguments crossed the wire intact
    assert (agent["position"]["x"], agent["position"]["z"], agent["rotation"]["y"], agent["cameraHorizon"]) == \
        (0.25, 0.5, 90.0, 15.0)
    assert ev.frame[5, 5, 2] == 90  # blue = the yaw the fake rendered


def test_action_failure_is_metadata_not_an_exception(backend):
    backend.reset("FloorPlan1")
    ev = backend.step(dict(action="PickupObject", objectId="Nope|+00.00|+00.00|+00.00"))
    assert ev.metadata["lastActionSuccess"] is False and "invalid" in ev.metadata["errorMessage"]


def test_unknown_action_is_a_backend_error(backend):
    backend.reset("FloorPlan1")
    with pytest.raises(ThorBackendError, match="rejected step\\('Fly'\\).*Invalid action: Fly"):
        backend.step(dict(action="Fly"))


def test_scene_not_in_build_reports_failure(backend):
    ev = backend.reset("FloorPlan999")
    assert ev.metadata["lastActionSuccess"] is False and "FloorPlan999_physics" in ev.metadata["errorMessage"]
    assert "FloorPlan999_physics" not in backend.scene_names() and len(backend.scene_names()) == 120


@pytest.mark.parametrize("fault, kind, match", [
    ("die:PickupObject", ThorBackendError, "exited during step\\('PickupObject'\\)"),
    ("hang:PickupObject", ThorTimeout, "did not answer step\\('PickupObject'\\) within 2 s"),
    ("bad_sequence:PickupObject", ThorBackendError, "step\\('PickupObject'\\)"),
])
@crash
def test_backend_that_dies_or_hangs_mid_run(fake_build, fake_display, monkeypatch, fault, kind, match):
    monkeypatch.setenv("EGOLOOP_FAKE_THOR_FAULT", fault)
    b = ThorBackend(BackendConfig(build=str(fake_build), resolution=300, timeout=TIMEOUT))
    try:
        b.reset("FloorPlan1")
        pid = b.controller.unity_pid
        t = time.monotonic()
        with pytest.raises(kind, match=match):
            b.step(dict(action="PickupObject", objectId="Apple"))
        assert time.monotonic() - t < TIMEOUT + 3  # the deadline, plus a bounded teardown
        assert not b.alive and _pid_gone(pid)
        with pytest.raises(ThorBackendError, match="not running"):
            b.step(dict(action="MoveAhead"))
        monkeypatch.delenv("EGOLOOP_FAKE_THOR_FAULT")
        assert b.reset("FloorPlan2").metadata["sceneName"] == "FloorPlan2_physics"  # a fresh backend
    finally:
        b.close()


@crash
@pytest.mark.parametrize("fault, kind", [("exit_at_start", ThorBackendError), ("hang_at_start", ThorTimeout)])
def test_backend_that_never_starts(fake_build, fake_display, monkeypatch, fault, kind):
    monkeypatch.setenv("EGOLOOP_FAKE_THOR_FAULT", fault)
    b = ThorBackend(BackendConfig(build=str(fake_build), resolution=300, timeout=TIMEOUT))
    t = time.monotonic()
    with pytest.raises(kind, match="start"):
        b.start()
    assert time.monotonic() - t < TIMEOUT + 3 and not b.alive


def test_shutdown_stops_unity_and_frees_the_port(backend):
    backend.reset("FloorPlan1")
    c = backend.controller
    pid, server_socket = c.unity_pid, c.server.wsgi_server.socket
    t = time.monotonic()
    backend.close()
    took = time.monotonic() - t
    assert took < 5 and not backend.alive, took
    for _ in range(100):
        if _pid_gone(pid):
            break
        time.sleep(0.02)
    assert _pid_gone(pid)
    c.server_thread.join(2)  # the server winds down behind close(), within its half-second poll
    assert not c.server_thread.is_alive()
    for _ in range(100):
        if server_socket.fileno() == -1:
            break
        time.sleep(0.02)
    assert server_socket.fileno() == -1  # the controller's listening socket is closed: the port is free
    backend.close()  # idempotent


def test_fake_backend_step_rate(backend):
    backend.reset("FloorPlan1")
    t = time.monotonic()
    for _ in range(50):
        backend.step(dict(action="RotateRight"))
    assert 50 / (time.monotonic() - t) > 20  # about 400/s here; a regression to seconds per step would show
