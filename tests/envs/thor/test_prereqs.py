"""Construction fails fast, naming what is missing and the fix: package, build, display, task files."""

import os
import sys
import time

import pytest

from envs.thor import prereqs
from envs.thor.errors import ThorSetupError
from envs.thor.fake_backend import write_fake_xdpyinfo
from envs.thor.tasks import load_episodes

pytestmark = pytest.mark.timeout(20)


def test_missing_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ai2thor", None)  # makes `import ai2thor` raise ImportError
    monkeypatch.setitem(sys.modules, "ai2thor.controller", None)
    with pytest.raises(ThorSetupError) as e:
        prereqs.import_ai2thor()
    assert "pip install 'egoloop[thor]'" in str(e.value) and "ai2thor" in str(e.value)


def test_wrong_version_is_refused(monkeypatch):
    ai2thor = pytest.importorskip("ai2thor")
    monkeypatch.setattr(ai2thor, "__version__", "5.0.0")
    with pytest.raises(ThorSetupError, match=r"5\.0\.0.*egoloop\[thor\]"):
        prereqs.import_ai2thor()


def test_no_build_never_downloads(monkeypatch, tmp_path):
    monkeypatch.delenv(prereqs.BUILD_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.ai2thor/releases either
    with pytest.raises(ThorSetupError) as e:
        prereqs.find_build(None)
    msg = str(e.value)
    assert "download" in msg and "`build`" in msg and prereqs.BUILD_ENV in msg and prereqs.BUILD_NAME in msg


def test_build_from_env_var_and_folder(monkeypatch, tmp_path):
    exe = tmp_path / "thor-x" / "thor-x"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n")
    with pytest.raises(ThorSetupError, match="chmod"):
        prereqs.find_build(str(exe))
    exe.chmod(0o755)
    assert prereqs.find_build(str(exe.parent)) == exe  # a release folder stands for its executable
    monkeypatch.setenv(prereqs.BUILD_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(ThorSetupError, match=f"\\${prereqs.BUILD_ENV}=.*does not exist"):
        prereqs.find_build(None)


def test_no_display_names_display_and_xvfb(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(ThorSetupError) as e:
        prereqs.resolve_display(None)
    msg = str(e.value)
    assert "DISPLAY" in msg and "Xvfb" in msg and "x_display" in msg and "CloudRendering" in msg
    assert prereqs.resolve_display("1") == ":1"


def test_display_that_does_not_answer(monkeypatch, tmp_path):
    bin_dir = write_fake_xdpyinfo(tmp_path, answers=False)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    t = time.monotonic()
    with pytest.raises(ThorSetupError, match=r"DISPLAY=:57.*xdpyinfo failed.*Xvfb"):
        prereqs.check_display(":57")
    assert time.monotonic() - t < 5


def test_display_without_xdpyinfo_checks_the_socket(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no xdpyinfo
    with pytest.raises(ThorSetupError, match=r"/tmp/\.X11-unix/X4242.*Xvfb"):
        prereqs.check_display(":4242")


def test_no_task_files_names_the_key(monkeypatch):
    monkeypatch.delenv("EGOLOOP_THOR_TASKS", raising=False)
    with pytest.raises(ThorSetupError) as e:
        load_episodes(None)
    assert "`tasks`" in str(e.value) and "EGOLOOP_THOR_TASKS" in str(e.value) and "EB-ALFRED" in str(e.value)


def test_env_fails_fast_without_a_build(monkeypatch, tmp_path, heat_task):
    pytest.importorskip("ai2thor")
    import gymnasium as gym

    import envs  # noqa: F401

    monkeypatch.delenv(prereqs.BUILD_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    t = time.monotonic()
    with pytest.raises(ThorSetupError, match=prereqs.BUILD_ENV):
        gym.make("EgoThor-v0", tasks=str(heat_task))
    assert time.monotonic() - t < 2


def test_env_without_ai2thor_names_the_extra(monkeypatch, heat_task):
    import gymnasium as gym

    import envs  # noqa: F401

    monkeypatch.setitem(sys.modules, "ai2thor", None)
    monkeypatch.setitem(sys.modules, "ai2thor.controller", None)
    with pytest.raises(ThorSetupError, match=r"pip install 'egoloop\[thor\]'"):
        gym.make("EgoThor-v0", tasks=str(heat_task))


def test_env_without_display_names_it(monkeypatch, fake_build, heat_task):
    pytest.importorskip("ai2thor")
    from envs.thor.env import ThorEnv

    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(ThorSetupError, match=r"no X display is set.*Xvfb"):
        ThorEnv(tasks=str(heat_task), build=str(fake_build))
