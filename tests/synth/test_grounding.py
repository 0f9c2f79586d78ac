import ast
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf
from PIL import Image

from envs.household.annotations import box_of
from envs.household.language import noun
from synth.grounding import EMPTY, rows_from, world_states
from synth.grounding_queries import INTERACTION_QUERY

ROOT = Path(__file__).resolve().parents[2]


def config(**over):
    cfg = OmegaConf.load(ROOT / "synth/conf/grounding.yaml")
    del cfg["hydra"]
    return OmegaConf.merge(cfg, {"per_episode": 1000, **over})  # every frame of every episode


@pytest.fixture(scope="module")
def built(episodes, tmp_path_factory):
    out = tmp_path_factory.mktemp("grounding")
    (out / "masks").mkdir()
    cfg = config(empty_rate=0.25)
    return cfg, out, list(rows_from(episodes, cfg, out))


def by_id(episodes):
    return {ep.id: ep for ep in episodes}


def test_boxes_equal_mask_extent_and_masks_equal_the_renderers(episodes, built):
    _, out, rows = built
    eps = by_id(episodes)
    assert len(rows) > 100
    for r in rows:
        ep, k = eps[r["episode_id"]], r["step"]
        assert np.array_equal(r["image"], ep.frames[k])
        if r["kind"] == "empty":
            continue
        stored = np.asarray(Image.open(out / r["masks"]))
        assert stored.dtype == np.uint8 and stored.shape == ep.masks[k].shape
        assert set(np.unique(stored).tolist()) <= set([0] + r["mask_ids"])
        assert r["mask_ids"] == list(range(1, len(r["answer"]) + 1))
        visible = {o["id"]: o for o in ep.objects[k]}
        for j, (i, name, box) in enumerate(zip(r["instance_ids"], r["answer"], r["boxes"], strict=True)):
            mine = stored == r["mask_ids"][j]
            assert np.array_equal(mine, ep.masks[k] == i), (r["query"], name)
            assert box == box_of(mine.astype(np.uint8), 1)
            # the annotator's own list of visible objects agrees on the name, the object and the box
            assert visible[i]["name"] == name and visible[i]["box"] == box
            assert visible[i]["object"] == r["object_ids"][j]
            assert visible[i]["pixels"] >= 50  # the config's min_pixels


def _parse_target(target: str):
    answer = re.fullmatch(r"<answer>(.*)</answer><bbox>(.*)</bbox>", target, re.S)
    assert answer, target
    if answer.group(2) == "None":
        return answer.group(1), None
    names = ast.literal_eval(answer.group(1))
    lines = [re.fullmatch(r"(.+): \[(\d+), (\d+), (\d+), (\d+)\]", s) for s in answer.group(2).split("\n")]
    return names, [(m.group(1), [int(m.group(g)) for g in range(2, 6)]) for m in lines]


def test_target_is_earl_format_and_messages_hold_it(built):
    for r in built[2]:
        answer, boxes = _parse_target(r["target"])
        if r["kind"] == "empty":
            assert answer == EMPTY and boxes is None
        else:
            assert answer == r["answer"] and boxes == list(zip(r["answer"], r["boxes"]))
        system, user, assistant = r["messages"]
        assert [m["role"] for m in r["messages"]] == ["system", "user", "assistant"]
        assert user["content"] == [{"type": "image", "text": None}, {"type": "text", "text": r["query"]}]
        assert assistant["content"] == [{"type": "text", "text": r["target"]}]


def test_empty_case_at_the_configured_rate(built, episodes):
    cfg, _, rows = built
    empty = [r for r in rows if r["kind"] == "empty"]
    share = len(empty) / len(rows)
    assert abs(share - cfg.empty_rate) <= 3 * math.sqrt(cfg.empty_rate * (1 - cfg.empty_rate) / len(rows))
    assert {r["form"] for r in empty} >= {"absent_class", "absent_name"}
    eps = by_id(episodes)
    for r in empty:
        assert r["answer"] == [] and r["boxes"] == [] and r["masks"] is None and r["instance_ids"] == []
        ep, k = eps[r["episode_id"]], r["step"]
        shown = {o["name"] for o in ep.objects[k]}
        if r["form"] == "absent_name":
            name = r["query"].removeprefix("Locate ").removesuffix(".")
            assert name not in shown
        if r["form"] == "absent_class":
            cls = r["query"].removeprefix("Locate the ").removesuffix(".")
            assert all(not o["class"].startswith(cls) for o in ep.objects[k])
    for rate, expect in ((0.0, 0.0), (1.0, 1.0)):
        some = list(rows_from(episodes[:3], config(empty_rate=rate)))
        assert some and sum(r["kind"] == "empty" for r in some) / len(some) == expect


def test_answers_are_complete_and_unique(built, episodes):
    """A class query names every instance of the class in view; a referring phrase names one; the
    interaction answer holds the object in hand whenever it shows."""
    eps = by_id(episodes)
    rows = built[2]
    assert {r["kind"] for r in rows} == {"interaction", "class", "referring", "empty"}
    held = {}
    for ep in episodes:
        for k, world in enumerate(world_states(ep)):
            held[ep.id, k] = world.agent.held
    for r in rows:
        ep, k = eps[r["episode_id"]], r["step"]
        if r["kind"] == "class":
            cls = r["query"].removeprefix("Locate the ").removesuffix(".")
            assert sorted(r["answer"]) == sorted(o["name"] for o in ep.objects[k] if o["class"] == cls)
            assert [b[0] for b in r["boxes"]] == sorted(b[0] for b in r["boxes"])  # left to right
        elif r["kind"] == "referring":
            assert len(r["answer"]) == 1
            if r["form"] == "name":
                assert r["query"] == f"Locate {r['answer'][0]}."
        elif r["kind"] == "interaction":
            assert r["query"] == INTERACTION_QUERY and r["answer"]
            h = held[ep.id, k]
            if h is not None and (ep.masks[k] == h + 1).sum() >= 50:
                assert r["instance_ids"][0] == h + 1


def _states(episodes):
    """Per (episode, frame): what the world says of every object with a pixel in view."""
    out = {}
    for ep in episodes:
        for k, w in enumerate(world_states(ep)):
            ids = [int(i) for i in np.unique(ep.masks[k]) if i > 0]
            out[ep.id, k] = {i: {"cls": w.objects[i - 1].cls, "open": w.objects[i - 1].is_open,
                                 "on": w.objects[i - 1].is_on, "held": w.agent.held == i - 1,
                                 "distance": w.distance(i - 1)} for i in ids}
    return out


def test_referring_phrases_are_true_of_the_answer_alone(built, episodes):
    eps, states = by_id(episodes), _states(episodes)
    checked = set()
    for r in built[2]:
        if r["form"] in ("not_open", "not_closed"):  # an empty case: no instance in view has the state
            s = states[r["episode_id"], r["step"]]
            want = r["form"] == "not_closed"
            named = [j for j in s if r["query"].endswith(f" {noun(s[j]['cls'])}.")]
            assert named and all(bool(s[j]["open"]) == want for j in named), r["query"]
            checked.add(r["form"])
        if r["kind"] != "referring" or r["form"] == "name":
            continue
        ep, k, (i,) = eps[r["episode_id"]], r["step"], r["instance_ids"]
        s = states[ep.id, k]
        same = [j for j in s if s[j]["cls"] == s[i]["cls"]]
        assert len(same) >= 2, r["query"]
        mask = ep.masks[k]
        cx = {j: np.nonzero(mask == j)[1].mean() for j in same}
        px = {j: int((mask == j).sum()) for j in same}
        form = r["form"]
        if form in ("left", "right"):
            sign = 1 if form == "left" else -1
            assert all(sign * (cx[j] - cx[i]) >= 0.1 * mask.shape[1] for j in same if j != i), r["query"]
        elif form == "nearest":
            assert all(s[j]["distance"] - s[i]["distance"] >= 0.3 for j in same if j != i)
        elif form == "biggest":
            assert all(px[i] >= 2 * px[j] for j in same if j != i)
        elif form in ("open", "closed", "on", "off"):
            key, want = ("open", form == "open") if form in ("open", "closed") else ("on", form == "on")
            assert [j for j in same if bool(s[j][key]) == want] == [i], r["query"]
        elif form == "held":
            assert [j for j in same if s[j]["held"]] == [i]
        checked.add(form)
    assert {"left", "right", "nearest", "open", "not_open"} <= checked


def test_rows_are_deterministic(episodes):
    a = list(rows_from(episodes[:4], config(empty_rate=0.3)))
    b = list(rows_from(episodes[:4], config(empty_rate=0.3)))
    assert len(a) == len(b) and all(json.dumps({**x, "image": None}) == json.dumps({**y, "image": None})
                                    for x, y in zip(a, b))


def _cli(out: Path, seed: int, n: int = 3):
    subprocess.run([sys.executable, "-m", "synth.grounding", f"out={out}", f"n={n}", f"seed={seed}",
                    "empty_rate=0.2"], cwd=ROOT, check=True, capture_output=True)
    return json.loads((out / "card.json").read_text())


def test_cli_writes_a_loadable_dataset_and_same_seed_gives_same_bytes(tmp_path):
    from datasets import load_from_disk

    card = _cli(tmp_path / "a", 0)
    ds = load_from_disk(str(tmp_path / "a"))
    assert len(ds) == card["rows"] and card["stats"]["episodes"] == 3
    for col in ("image", "query", "answer", "boxes", "masks", "kind", "episode_id", "step", "scene", "target",
                "messages"):
        assert col in ds.column_names
    for r in ds:
        if r["masks"] is not None:
            mask = np.asarray(Image.open(tmp_path / "a" / r["masks"]))
            assert mask.shape == np.asarray(r["image"]).shape[:2]
            assert [box_of(mask, j) for j in r["mask_ids"]] == r["boxes"]
    again = _cli(tmp_path / "b", 0)
    assert again["fingerprint"] == card["fingerprint"]
    pngs = sorted(p.name for p in (tmp_path / "a" / "masks").iterdir())
    assert pngs == sorted(p.name for p in (tmp_path / "b" / "masks").iterdir())
    assert all((tmp_path / "a/masks" / p).read_bytes() == (tmp_path / "b/masks" / p).read_bytes() for p in pngs)
    assert _cli(tmp_path / "c", 1)["fingerprint"] != card["fingerprint"]
