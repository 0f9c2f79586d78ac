"""The packaged scene catalog: the 120 iTHOR floorplans and ALFRED's compatibility rules, read-only.

Built by ``python -m envs.household.build_catalog`` from ``alfworld`` and ``procthor`` (licences in
``data/NOTICE``); running the simulator needs neither package.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np

from envs.household import geometry

ROOM_TYPES = ("Kitchen", "LivingRoom", "Bedroom", "Bathroom")
SPLITS = ("train", "test")


@dataclass(frozen=True)
class ObjectSpec:
    """One object of a floorplan in its default state, as AI2-THOR's metadata describes it."""

    id: str
    type: str
    center: tuple[float, float, float]
    size: tuple[float, float, float]
    rotation: float
    interactive: bool  # a class ALFRED knows; others (windows, stools...) are scenery
    receptacle: bool
    pickupable: bool
    openable: bool
    toggleable: bool
    sliceable: bool
    is_open: bool
    is_on: bool
    materials: tuple[str, ...]
    parent: str | None
    pose: tuple[float, float, float, float] | None  # x, z, yaw, horizon
    pose_source: str | None

    @cached_property
    def reachable(self) -> bool:
        """Whether standing at its pose puts the object in reach and in view."""
        if self.pose is None:
            return False
        x, z, yaw, _ = self.pose
        return geometry.in_view(x, z, yaw, self.center, self.size)


@dataclass(frozen=True, eq=False)  # identity equality: one instance per floorplan, hashable
class SceneSpec:
    floorplan: int
    room_type: str
    split: str
    floor: tuple[float, float, float, float]  # x0, z0, x1, z1
    navigable: np.ndarray  # (P, 2) x, z on a 0.25 m grid
    objects: tuple[ObjectSpec, ...]

    @property
    def name(self) -> str:
        return f"FloorPlan{self.floorplan}"

    @cached_property
    def statics(self) -> tuple[ObjectSpec, ...]:
        return tuple(o for o in self.objects if not o.pickupable)

    @cached_property
    def pickables(self) -> tuple[ObjectSpec, ...]:
        return tuple(o for o in self.objects if o.pickupable)

    @cached_property
    def by_id(self) -> dict[str, ObjectSpec]:
        return {o.id: o for o in self.objects}


@dataclass(frozen=True, eq=False)  # identity equality: one instance per catalog, hashable (cached lookups)
class Rules:
    """ALFRED's tables: which class may hold which, and which may be heated, cooled, cleaned..."""

    receptacle_objects: dict[str, frozenset[str]]
    action_objects: dict[str, frozenset[str]]
    openable: frozenset[str]
    movable_receptacles: frozenset[str]
    goals: tuple[str, ...]
    goals_valid: dict[str, frozenset[str]]
    objects: frozenset[str]
    test_scenes: frozenset[int]

    def can_hold(self, receptacle_cls: str, obj_cls: str) -> bool:
        return obj_cls in self.receptacle_objects.get(receptacle_cls, ())


@dataclass(frozen=True)
class Catalog:
    rules: Rules
    scenes: dict[int, SceneSpec]

    def floorplans(self, split: str | None = None, room_types=None) -> list[int]:
        """Floorplan numbers, optionally of one split (``train``/``test``) and some room types."""
        if split not in (None, "all", *SPLITS):
            raise ValueError(f"scene_split must be one of {SPLITS} or 'all', got {split!r}")
        return sorted(
            fp for fp, s in self.scenes.items()
            if (split in (None, "all") or s.split == split) and (room_types is None or s.room_type in room_types)
        )


def _object(d: dict) -> ObjectSpec:
    return ObjectSpec(
        id=d["id"], type=d["type"], center=tuple(d["center"]), size=tuple(d["size"]),
        rotation=d["rotation"], interactive=d["interactive"], receptacle=d["receptacle"],
        pickupable=d["pickupable"], openable=d["openable"], toggleable=d["toggleable"],
        sliceable=d["sliceable"], is_open=d["is_open"], is_on=d["is_on"],
        materials=tuple(d["materials"]), parent=d["parent"],
        pose=tuple(d["pose"]) if d["pose"] is not None else None, pose_source=d["pose_source"],
    )


def _rules(d: dict) -> Rules:
    return Rules(
        receptacle_objects={k: frozenset(v) for k, v in d["receptacle_objects"].items()},
        action_objects={k: frozenset(v) for k, v in d["action_objects"].items()},
        openable=frozenset(d["openable"]),
        movable_receptacles=frozenset(d["movable_receptacles"]),
        goals=tuple(d["goals"]),
        goals_valid={k: frozenset(v) for k, v in d["goals_valid"].items()},
        objects=frozenset(d["objects"]),
        test_scenes=frozenset(d["test_scenes"]),
    )


def parse(raw: dict) -> Catalog:
    scenes = {
        int(fp): SceneSpec(
            floorplan=s["floorplan"], room_type=s["room_type"], split=s["split"], floor=tuple(s["floor"]),
            navigable=np.asarray(s["navigable"], dtype=np.float64).reshape(-1, 2),
            objects=tuple(_object(o) for o in s["objects"]),
        )
        for fp, s in raw["scenes"].items()
    }
    return Catalog(rules=_rules(raw["rules"]), scenes=scenes)


def catalog_bytes() -> bytes:
    return (resources.files("envs.household") / "data" / "catalog.json.gz").read_bytes()


@lru_cache(maxsize=1)
def load() -> Catalog:
    """The packaged catalog (parsed once per process)."""
    return parse(json.loads(gzip.decompress(catalog_bytes())))
