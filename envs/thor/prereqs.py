"""What THOR needs before a Controller may start, each checked up front with a message that names the
missing piece and the fix: the ``ai2thor`` package (the pinned version), a Unity build on disk, an X
display. ai2thor itself would download the build from S3 at start (and fail slowly, or hang, without
network), and reports a missing display as a bare ``AssertionError``; we never let it get that far.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from envs.thor.errors import ThorSetupError

# EB-ALFRED (EmbodiedBench conda_envs/environment.yaml) and ALFRED pin ai2thor 2.1.0; it installs on
# Python 3.11 as is. Its wire protocol (Unity POSTs multipart frames to the controller's Flask server)
# and its action names differ from later releases, so another version is refused rather than guessed at.
THOR_VERSION = "2.1.0"
INSTALL_HINT = "pip install 'egoloop[thor]'  (installs ai2thor==2.1.0, the version EB-ALFRED pins)"
BUILD_NAME = "thor-201909061227-Linux64"  # the build ai2thor 2.1.0 runs (ai2thor/_builds.py)
BUILD_ENV = "EGOLOOP_THOR_BUILD"
DISPLAY_ENV = "DISPLAY"
XDPYINFO_TIMEOUT = 10.0


def import_ai2thor():
    """``ai2thor.controller`` at the pinned version, or a ThorSetupError saying how to install it."""
    try:
        ai2thor = importlib.import_module("ai2thor")
        controller = importlib.import_module("ai2thor.controller")
    except ImportError as e:
        raise ThorSetupError(f"the AI2-THOR env needs the ai2thor package, which is not importable ({e}). "
                             f"Install it with: {INSTALL_HINT}") from e
    version = getattr(ai2thor, "__version__", "unknown")
    if not str(version).startswith("2.1."):
        raise ThorSetupError(f"the AI2-THOR env speaks ai2thor {THOR_VERSION}'s protocol (EB-ALFRED's pin), but "
                             f"ai2thor {version} is installed. Fix: {INSTALL_HINT}")
    return controller


def find_build(build: str | os.PathLike | None) -> Path:
    """The Unity executable to run: ``build`` (the env's ``build`` kwarg), else ``$EGOLOOP_THOR_BUILD``,
    else one that ai2thor already unpacked in ``~/.ai2thor/releases``. A folder stands for the executable
    of the same name inside it (the layout of ai2thor's release zips). Never downloads."""
    source = "build="
    if build is None and os.environ.get(BUILD_ENV):
        build, source = os.environ[BUILD_ENV], f"${BUILD_ENV}="
    if build is None:
        cached = Path.home() / ".ai2thor" / "releases" / BUILD_NAME / BUILD_NAME
        if _executable(cached):
            return cached
        raise ThorSetupError(
            "no AI2-THOR Unity build is configured. ai2thor would download "
            f"{BUILD_NAME}.zip from S3 at start, which this env never does. Put the unpacked build on disk and "
            f"point the env at it: the env kwarg `build` (agent/conf/env/thor.yaml: kwargs.build, or "
            f"`env.kwargs.build=/path` on the command line) or the environment variable {BUILD_ENV}=/path/to/"
            f"{BUILD_NAME}/{BUILD_NAME}.")
    path = Path(build).expanduser()
    if path.is_dir():
        path = path / path.name
    if not path.exists():
        raise ThorSetupError(f"the AI2-THOR Unity build {source}{build} does not exist. Fix the env kwarg `build` "
                             f"or {BUILD_ENV} to name the build's executable (…/{BUILD_NAME}/{BUILD_NAME}) or its "
                             "folder.")
    if not _executable(path):
        raise ThorSetupError(f"the AI2-THOR Unity build {path} is not executable. Fix: chmod +x {path}")
    return path


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def resolve_display(x_display: str | None) -> str:
    """The X display the build will render on (``:N``): the env's ``x_display`` kwarg, else ``$DISPLAY``."""
    display = x_display if x_display not in (None, "") else os.environ.get(DISPLAY_ENV, "")
    display = str(display)
    if not display:
        raise ThorSetupError(_no_display("no X display is set"))
    return display if ":" in display else ":" + display


def check_display(display: str) -> None:
    """Fail unless an X server answers on ``display``: with ``xdpyinfo`` when it is installed (as ai2thor
    2.1.0 checks), else by its local socket. A real Unity build cannot render without one."""
    xdpyinfo = shutil.which("xdpyinfo")
    if xdpyinfo:
        env = {**os.environ, DISPLAY_ENV: display}
        try:
            rc = subprocess.run([xdpyinfo], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=XDPYINFO_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            rc = None
        if rc != 0:
            raise ThorSetupError(_no_display(f"no X server answers on DISPLAY={display} (xdpyinfo failed)"))
        return
    m = re.fullmatch(r":(\d+)(\.\d+)?", display)
    if m and not Path(f"/tmp/.X11-unix/X{m.group(1)}").exists():
        raise ThorSetupError(_no_display(f"no X server socket for DISPLAY={display} (/tmp/.X11-unix/X{m.group(1)})"))


def _no_display(what: str) -> str:
    return (f"{what}. The ai2thor 2.1.0 Unity build renders through X (it has no CloudRendering/headless GPU "
            f"mode). Start one and point the env at it: `Xvfb :1 -screen 0 1024x768x24 &` then DISPLAY=:1 (or the "
            f"env kwarg x_display=':1'); on a GPU machine EmbodiedBench's `python -m "
            f"embodiedbench.envs.eb_alfred.scripts.startx 1` starts an X server on the GPU. CloudRendering needs "
            f"ai2thor>=3 (EB-Navigation's 5.0.0), which EB-ALFRED's tasks do not run on.")
