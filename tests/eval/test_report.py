"""`python -m eval.report`: the page builds from real runs, opens in headless Chromium without a
JavaScript error, shows the tables and a frame, and its viewer steps with the keyboard."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def cli(module, *args):
    r = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    common = ["episodes_per_subset=2", "subsets=[base,long_horizon]", "progress=false", "record.annotations=true"]
    cli("eval.embodied", "policy=expert", f"out={root / 'expert'}", *common)
    cli("eval.embodied", "policy=random", f"out={root / 'random'}", *common)
    train = root / "sft"
    train.mkdir()
    # the log HF's Trainer keeps (train.sft writes it as log_history.json)
    history = [{"step": s, "loss": 3.0 / s, "learning_rate": 1e-3, "epoch": s / 10} for s in range(1, 11)]
    (train / "log_history.json").write_text(json.dumps(history))
    r = cli("eval.report", str(root / "expert"), str(root / "random"), str(train), f"out={root / 'html'}")
    assert "index.html" in r.stdout
    return root / "html"


def test_report_folder_is_self_contained(report):
    html = (report / "index.html").read_text()
    assert {"style.css", "viewer.js", "data.js", "success_by_subset.png", "curves_2.png"} <= {p.name for p in report.iterdir()}
    assert "long_horizon" in html and "pick_" in html and "Runs side by side" in html
    data = json.loads((report / "data.js").read_text().split("=", 1)[1].rstrip(";\n"))
    eps = data["episodes"]
    assert len(eps) == 8 and {e["run"] for e in eps} == {"expert", "random"}
    for e in eps:  # every frame the viewer shows was copied into the report
        assert all((report / v["frame"]).exists() for v in e["views"])
        assert len(e["views"]) >= 2 and e["views"][0]["boxes"]


@pytest.mark.slow
def test_report_opens_in_headless_chromium_without_errors_and_steps_through_an_episode(report, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (.ci/run installs it)")
        pytest.skip("no chromium on this machine (apt-get install chromium); the browser test needs it")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1500})
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.goto((report / "index.html").as_uri())
        assert "100.0" in page.inner_text("table.compare")
        total = int(page.inner_text("#counter").split("/")[1])
        assert page.inner_text("#counter").strip() == f"step 0 / {total}"
        for _ in range(total + 2):  # past the end: it stops at the last step
            page.keyboard.press("ArrowRight")
        assert page.inner_text("#counter").strip() == f"step {total} / {total}"
        assert page.inner_text("#feedback")
        page.keyboard.press("b")
        assert page.is_checked("#boxes")
        page.keyboard.press("ArrowDown")
        assert page.inner_text("#counter").startswith("step 0")
        # the new episode's first frame loads asynchronously: wait for it (bounded) before reading its size
        page.wait_for_function("document.getElementById('frame').complete", timeout=10_000)
        assert page.evaluate("document.getElementById('frame').naturalWidth") == 224
        shot = Path(os.environ.get("EGOLOOP_REPORT_SCREENSHOT", tmp_path / "report.png"))
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert not errors, errors
    assert shot.stat().st_size > 20_000
