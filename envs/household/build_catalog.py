"""Build the packaged scene catalog from the two PyPI packages that carry AI2-THOR's floorplan data.

    pip install --no-deps alfworld==0.4.2 procthor==0.0.1.dev2
    python -m envs.household.build_catalog            # rewrites envs/household/data/catalog.json.gz

Sources (see ``data/NOTICE``): ProcTHOR's metadata dump of the 120 iTHOR scenes gives every object's
type, 3-D box, flags and default parent; ALFWorld (from ALFRED) gives the navigable 0.25 m grid, the
receptacle interaction poses and ALFRED's compatibility tables. Where the two disagree (AI2-THOR 2.1
vs. a later release), ProcTHOR's geometry wins and ALFRED's poses are kept only when they still reach
the object. The output is deterministic: same packages, same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import math
from pathlib import Path

import numpy as np

from envs.household import geometry

ROOMS = (("kitchens", "Kitchen", 1), ("living_rooms", "LivingRoom", 201),
         ("bedrooms", "Bedroom", 301), ("bathrooms", "Bathroom", 401))
RENAMES = {"Bottle": "Glassbottle"}  # AI2-THOR 2.1 (ALFRED, EB-ALFRED) name
MATCH_RADIUS = 0.5  # metres: living rooms and bedrooms were remodelled after 2.1
OUT = Path(__file__).with_name("data") / "catalog.json.gz"
CATALOG_VERSION = 1


def package_dir(name: str) -> Path:
    """Locate a package without importing it (``import alfworld`` writes to ~/.cache)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name!r} is missing: pip install --no-deps alfworld==0.4.2 procthor==0.0.1.dev2")
    return Path(list(spec.submodule_search_locations)[0])


def load_alfred_constants(alfworld: Path):
    spec = importlib.util.spec_from_file_location("_alfred_constants", alfworld / "gen" / "constants.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def rules_from(c) -> dict:
    return {
        "receptacle_objects": {k: sorted(v) for k, v in sorted(c.VAL_RECEPTACLE_OBJECTS.items())},
        "action_objects": {k: sorted(v) for k, v in sorted(c.VAL_ACTION_OBJECTS.items())},
        "openable": sorted(c.OPENABLE_CLASS_LIST),
        "movable_receptacles": sorted(c.MOVABLE_RECEPTACLES),
        "goals": list(c.GOALS),
        "goals_valid": {k: sorted(v) for k, v in c.GOALS_VALID.items()},
        "objects": sorted(set(c.OBJECTS_WSLICED) | {"SinkBasin", "BathtubBasin"}),
        "test_scenes": sorted(c.TEST_SCENE_NUMBERS),
    }


def r4(x: float) -> float:
    return round(float(x), 4)


def thor_type(obj: dict) -> str:
    return RENAMES.get(obj["objectType"], obj["objectType"])


def alfworld_receptacles(layouts: Path, floorplan: int) -> list[tuple[str, tuple[float, float, float], list]]:
    raw = json.loads((layouts / f"FloorPlan{floorplan}-openable.json").read_text())
    out = []
    for oid, pose in sorted(raw.items()):
        parts = oid.split("|")
        cls = parts[4] if len(parts) == 5 else parts[0]
        out.append((RENAMES.get(cls, cls), (float(parts[1]), float(parts[2]), float(parts[3])), pose))
    return out


def match_poses(objects: list[dict], alf: list) -> dict[int, tuple[float, float]]:
    """Greedy nearest same-type matching of ALFRED receptacle ids to ProcTHOR objects."""
    pairs = []
    for ai, (cls, pos, _) in enumerate(alf):
        for oi, o in enumerate(objects):
            if o["type"] == cls:
                d = math.dist(pos, o["thor_pos"])
                if d <= MATCH_RADIUS:
                    pairs.append((d, ai, oi))
    pairs.sort()
    used_a, used_o, poses = set(), set(), {}
    for _, ai, oi in pairs:
        if ai in used_a or oi in used_o:
            continue
        used_a.add(ai)
        used_o.add(oi)
        poses[oi] = (float(alf[ai][2][0]), float(alf[ai][2][1]))
    return poses


def immediate_parent(obj: dict, by_id: dict) -> str | None:
    """THOR lists every touching receptacle; keep the one the object rests on (highest top below it)."""
    parents = [p for p in (obj.get("parentReceptacles") or []) if p in by_id]
    if not parents:
        return None
    bottom = obj["axisAlignedBoundingBox"]["center"]["y"] - obj["axisAlignedBoundingBox"]["size"]["y"] / 2

    def score(pid):
        p = by_id[pid]["axisAlignedBoundingBox"]
        top = p["center"]["y"] + p["size"]["y"] / 2
        below = top <= bottom + 0.05
        return (not below, abs(bottom - top), pid)

    return min(parents, key=score)


def build_scene(meta: list[dict], layouts: Path, floorplan: int, room: str, test: set[int],
                interactive: set[str]) -> dict:
    nav = np.load(layouts / f"FloorPlan{floorplan}-layout.npy").astype(float)
    by_id = {o["objectId"]: o for o in meta}
    floor = next(o for o in meta if o["objectType"] == "Floor")
    objects = []
    for o in meta:
        if o["objectType"] == "Floor":
            continue
        box = o["axisAlignedBoundingBox"]
        cls = thor_type(o)
        rec = {
            "id": o["objectId"], "type": cls,
            "center": [r4(box["center"][k]) for k in "xyz"],
            "size": [r4(box["size"][k]) for k in "xyz"],
            "rotation": r4(o["rotation"]["y"]),
            "interactive": cls in interactive,
            "receptacle": bool(o["receptacle"]), "pickupable": bool(o["pickupable"]),
            "openable": bool(o["openable"]), "toggleable": bool(o["toggleable"]),
            "sliceable": bool(o["sliceable"]),
            "is_open": bool(o["isOpen"]), "is_on": bool(o["isToggled"]),
            "materials": sorted(o.get("salientMaterials") or []),
            "parent": immediate_parent(o, by_id) if o["pickupable"] else None,
            "thor_pos": [o["position"][k] for k in "xyz"],
        }
        objects.append(rec)
    alf_poses = match_poses(objects, alfworld_receptacles(layouts, floorplan))
    for oi, o in enumerate(objects):
        o["pose"], o["pose_source"] = None, None
        if o["pickupable"]:
            continue
        pose = geometry.interaction_pose(nav, o["center"], o["size"], alf_poses.get(oi))
        if pose is not None:
            o["pose"], o["pose_source"] = [r4(v) for v in pose[:4]], pose[4]
    for o in objects:
        del o["thor_pos"]
    fb = floor["axisAlignedBoundingBox"]
    fx0 = fb["center"]["x"] - fb["size"]["x"] / 2
    fz0 = fb["center"]["z"] - fb["size"]["z"] / 2
    fx1, fz1 = fx0 + fb["size"]["x"], fz0 + fb["size"]["z"]
    # The floor box of a few scenes is smaller than the navigable area; the room must hold both.
    fx0, fz0 = min(fx0, nav[:, 0].min() - 0.25), min(fz0, nav[:, 1].min() - 0.25)
    fx1, fz1 = max(fx1, nav[:, 0].max() + 0.25), max(fz1, nav[:, 1].max() + 0.25)
    return {
        "floorplan": floorplan, "room_type": room,
        "split": "test" if floorplan in test else "train",
        "floor": [r4(fx0), r4(fz0), r4(fx1), r4(fz1)],
        "navigable": [[r4(x), r4(z)] for x, z in nav],
        "objects": objects,
    }


def build() -> dict:
    alfworld, procthor = package_dir("alfworld"), package_dir("procthor")
    constants = load_alfred_constants(alfworld)
    rules = rules_from(constants)
    meta = json.loads((procthor / "databases" / "ai2thor-object-metadata.json").read_text())
    layouts = alfworld / "gen" / "layouts"
    test = set(rules["test_scenes"])
    interactive = set(rules["objects"])
    scenes = {}
    for key, room, first in ROOMS:
        for i, scene_meta in enumerate(meta[key]):
            fp = first + i
            scenes[str(fp)] = build_scene(scene_meta, layouts, fp, room, test, interactive)
    return {
        "version": CATALOG_VERSION,
        "sources": {
            "alfworld": "0.4.2 (MIT; ALFRED data MIT)",
            "procthor": "0.0.1.dev2 (Apache-2.0; AI2-THOR object metadata)",
        },
        "rules": rules,
        "scenes": scenes,
    }


def encode(catalog: dict) -> bytes:
    """Canonical bytes: sorted keys, no whitespace, gzip with a fixed mtime."""
    raw = json.dumps(catalog, sort_keys=True, separators=(",", ":")).encode()
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    data = encode(build())
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]})")


if __name__ == "__main__":
    main()
