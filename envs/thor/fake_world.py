"""The fake THOR world behind ``fake_backend``: one small kitchen whose objects carry ai2thor 2.1.0's
metadata fields (objectId, parentReceptacles, receptacleObjectIds, isOpen, isToggled, isSliced, ...)
and THOR's rules for the actions EB-ALFRED sends, plus the metadata and frame one step returns.

Real physics, rendering and visibility are NOT modelled: an object is "visible" when it is within
1.5 m and 60 degrees of the agent's heading and not shut inside something closed; every scene name of
the 2.1.0 build loads the same kitchen. The frame is a pattern tests can decode: red runs 0..255 from
the top row to the bottom one (rows are sent bottom-up, as Unity does, so a missed flip shows), green
is the sequence id, blue the agent's yaw. Standalone (stdlib + numpy): the fake process imports it.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

VISIBILITY = 1.5
FOV_HALF = 60.0
SCENES = {f"FloorPlan{i}_physics" for lo in (1, 201, 301, 401) for i in range(lo, lo + 30)}
HOLDERS = ("Knife", "ButterKnife")


def _obj(type_, pos, idx="", **flags):
    x, y, z = pos
    oid = f"{type_}|{x:+06.2f}|{y:+06.2f}|{z:+06.2f}" + idx
    o = dict(objectId=oid, objectType=type_, name=f"{type_}_{zlib.crc32(oid.encode()):08x}",
             position=dict(x=x, y=y, z=z), rotation=dict(x=0.0, y=0.0, z=0.0), visible=False, distance=0.0,
             pickupable=False, receptacle=False, receptacleObjectIds=[], parentReceptacles=[], openable=False,
             isOpen=False, toggleable=False, isToggled=False, sliceable=False, isSliced=False, isPickedUp=False,
             dirtyable=False, isDirty=False, cookable=False, isCooked=False, canFillWithLiquid=False)
    o.update(flags)
    return o


def kitchen() -> list[dict]:
    """The one layout every scene name loads: furniture first, then small objects with their parents."""
    objs = [
        _obj("CounterTop", (-1.0, 0.95, 0.0), receptacle=True),
        _obj("DiningTable", (1.5, 0.75, 1.0), receptacle=True),
        _obj("Fridge", (-2.0, 0.0, 2.0), receptacle=True, openable=True, rotation=dict(x=0.0, y=90.0, z=0.0)),
        _obj("Microwave", (0.0, 1.0, -1.5), receptacle=True, openable=True, toggleable=True),
        _obj("Cabinet", (-1.0, 0.5, -1.0), receptacle=True, openable=True),
        _obj("Cabinet", (1.0, 0.5, -1.0), receptacle=True, openable=True),
        _obj("Sink", (0.5, 0.9, 1.75), receptacle=True),
        _obj("Faucet", (0.5, 1.1, 2.0), toggleable=True),
        _obj("DeskLamp", (1.8, 0.8, 1.2), toggleable=True),
    ]
    sink = objs[6]["objectId"]
    objs.append(_obj("SinkBasin", (0.5, 0.85, 1.75), idx="|SinkBasin", receptacle=True))
    objs[-1]["objectId"] = sink + "|SinkBasin"  # THOR's inherited basin: a 5-part id under its sink
    small = [("Apple", "CounterTop", dict(sliceable=True)),
             ("Mug", "CounterTop", dict(receptacle=True, dirtyable=True)),
             ("Knife", "DiningTable", {}), ("Tomato", "Fridge", dict(sliceable=True)),
             ("Egg", "CounterTop", {}), ("Egg", "DiningTable", {})]
    for k, (type_, parent, flags) in enumerate(small):
        p = next(o for o in objs if o["objectType"] == parent)
        pos = (p["position"]["x"] + 0.1 * (k % 3), p["position"]["y"] + 0.1, p["position"]["z"] + 0.05 * k)
        o = _obj(type_, pos, pickupable=True, **flags)
        objs.append(o)
        _place(objs, o, p)
    return objs


def _place(objs, o, parent) -> None:
    for p in objs:
        if o["objectId"] in p["receptacleObjectIds"]:
            p["receptacleObjectIds"].remove(o["objectId"])
    o["parentReceptacles"] = [parent["objectId"]] if parent is not None else []
    if parent is not None:
        parent["receptacleObjectIds"].append(o["objectId"])


class Fake:
    def __init__(self, width: int, height: int, faults: list[str]):
        self.w, self.h, self.faults = width, height, faults
        self.scene, self.seq, self.objs, self.held = "FloorPlan1_physics", 0, kitchen(), None
        self.agent = dict(x=0.0, y=0.9, z=0.0, yaw=0.0, horizon=0.0)
        self.render_ids = False  # Initialize(renderObjectImage=True): send the instance-segmentation frame

    # ---- geometry -----------------------------------------------------------------------------
    def reachable(self) -> list[dict]:
        furniture = [o for o in self.objs if not o["pickupable"]]
        out = []
        for i in range(-6, 7):
            for j in range(-4, 7):
                x, z = i * 0.25, j * 0.25
                if all(math.hypot(x - f["position"]["x"], z - f["position"]["z"]) >= 0.5 for f in furniture):
                    out.append(dict(x=x, y=0.9, z=z))
        return out

    def get(self, oid):
        return next((o for o in self.objs if o["objectId"] == oid), None)

    def enclosed(self, o) -> bool:
        return any((p := self.get(pid)) is not None and p["openable"] and not p["isOpen"]
                   for pid in o["parentReceptacles"])

    def refresh(self) -> None:
        a = self.agent
        for o in self.objs:
            if o["isPickedUp"]:
                o["position"] = dict(x=a["x"], y=1.0, z=a["z"])
            dx, dz = o["position"]["x"] - a["x"], o["position"]["z"] - a["z"]
            o["distance"] = math.hypot(dx, dz)
            off = abs((math.degrees(math.atan2(dx, dz)) - a["yaw"] + 180) % 360 - 180) if o["distance"] > 1e-6 else 0
            o["visible"] = o["isPickedUp"] or (o["distance"] <= VISIBILITY and off <= FOV_HALF and not self.enclosed(o))

    # ---- actions ------------------------------------------------------------------------------
    def act(self, a: dict):
        """Returns (success, errorMessage, errorCode, actionReturn)."""
        name = a.get("action")
        handler = getattr(self, "do_" + str(name), None)
        if handler is None:
            return False, f"Invalid action: {name}", "InvalidAction", None
        return handler(a)

    def do_Reset(self, a):
        if a.get("sceneName") not in SCENES:
            return False, f"Scene {a.get('sceneName')} is not in this build", "", None
        self.scene, self.objs, self.held = a["sceneName"], kitchen(), None
        self.agent.update(x=0.0, z=0.0, yaw=0.0, horizon=0.0)
        return True, "", "", None

    def do_Initialize(self, a):
        self.render_ids = bool(a.get("renderObjectImage", False))
        return True, "", "", None

    def do_GetReachablePositions(self, a):
        return True, "", "", self.reachable()

    def do_TeleportFull(self, a):
        x, z = float(a["x"]), float(a["z"])
        if not any(abs(p["x"] - x) < 1e-3 and abs(p["z"] - z) < 1e-3 for p in self.reachable()):
            return False, f"({x}, {z}) is not a reachable position", "", None
        rot = a.get("rotation", 0.0)
        rot = rot["y"] if isinstance(rot, dict) else rot
        self.agent.update(x=x, z=z, yaw=float(rot) % 360, horizon=float(a.get("horizon", 0.0)))
        return True, "", "", None

    def _nudge(self, a, dx=0.0, dz=0.0, dyaw=0.0, dh=0.0):
        ag = self.agent
        rad = math.radians(ag["yaw"])
        x = ag["x"] + dz * math.sin(rad) + dx * math.cos(rad)
        z = ag["z"] + dz * math.cos(rad) - dx * math.sin(rad)
        if (dx or dz) and not any(abs(p["x"] - x) < 0.13 and abs(p["z"] - z) < 0.13 for p in self.reachable()):
            return False, "blocked", "", None
        ag.update(x=x, z=z, yaw=(ag["yaw"] + dyaw) % 360, horizon=max(-30.0, min(60.0, ag["horizon"] + dh)))
        return True, "", "", None

    def do_MoveAhead(self, a): return self._nudge(a, dz=0.25)
    def do_MoveBack(self, a): return self._nudge(a, dz=-0.25)
    def do_MoveLeft(self, a): return self._nudge(a, dx=-0.25)
    def do_MoveRight(self, a): return self._nudge(a, dx=0.25)
    def do_RotateLeft(self, a): return self._nudge(a, dyaw=-90)
    def do_RotateRight(self, a): return self._nudge(a, dyaw=90)
    def do_LookUp(self, a): return self._nudge(a, dh=-30)
    def do_LookDown(self, a): return self._nudge(a, dh=30)
    def do_RotateHand(self, a): return True, "", "", None

    def _target(self, a, need: str):
        o = self.get(a.get("objectId"))
        if o is None:
            return None, f"Object ID appears to be invalid: {a.get('objectId')}"
        if not o[need]:
            return None, f"{o['objectId']} is not {need}"
        if not o["visible"] and not a.get("forceAction"):
            return None, f"{o['objectId']} is not visible"
        return o, ""

    def do_PickupObject(self, a):
        o, err = self._target(a, "pickupable")
        if o is None:
            return False, err, "", None
        if self.held is not None:
            return False, "Agent's hand is not empty", "", None
        _place(self.objs, o, None)
        o["isPickedUp"], self.held = True, o["objectId"]
        return True, "", "", None

    def do_PutObject(self, a):
        if self.held is None or a.get("objectId") != self.held:
            return False, "Agent is not holding that object", "", None
        r, err = self._target(dict(a, objectId=a.get("receptacleObjectId")), "receptacle")
        if r is None:
            return False, err, "", None
        if r["openable"] and not r["isOpen"]:
            return False, f"{r['objectId']} is closed", "", None
        o = self.get(self.held)
        o["isPickedUp"], self.held = False, None
        o["position"] = dict(r["position"], y=r["position"]["y"] + 0.1)
        _place(self.objs, o, r)
        return True, "", "", None

    def do_DropHandObject(self, a):
        if self.held is None:
            return False, "Nothing is in the agent's hand", "", None
        o = self.get(self.held)
        o["isPickedUp"], self.held = False, None
        o["position"] = dict(x=self.agent["x"], y=0.05, z=self.agent["z"])
        return True, "", "", None

    def _set(self, a, need, key, value):
        o, err = self._target(a, need)
        if o is None:
            return False, err, "", None
        if o[key] == value:
            state = {("isToggled", True): "on", ("isToggled", False): "off",
                     ("isOpen", True): "open", ("isOpen", False): "closed"}[key, value]
            return False, f"{o['objectId']} is already {state}", "", None
        o[key] = value
        return True, "", "", None

    def do_OpenObject(self, a): return self._set(a, "openable", "isOpen", True)
    def do_CloseObject(self, a): return self._set(a, "openable", "isOpen", False)
    def do_ToggleObjectOn(self, a): return self._set(a, "toggleable", "isToggled", True)
    def do_ToggleObjectOff(self, a): return self._set(a, "toggleable", "isToggled", False)

    def do_SliceObject(self, a):
        o, err = self._target(a, "sliceable")
        if o is None or o["isSliced"]:
            return False, err or "already sliced", "", None
        if self.held is None or self.get(self.held)["objectType"] not in HOLDERS:
            return False, "Agent needs to hold a knife to slice", "", None
        parent = self.get(o["parentReceptacles"][0]) if o["parentReceptacles"] else None
        self.objs.remove(o)
        _place(self.objs, o, None)
        for k in range(3):
            piece = dict(o, objectId=f"{o['objectId']}|{o['objectType']}Sliced_{k}",
                         objectType=o["objectType"] + "Sliced", name=f"{o['objectType']}_Slice_{k}",
                         sliceable=False, isSliced=True, receptacleObjectIds=[], parentReceptacles=[])
            self.objs.append(piece)
            _place(self.objs, piece, parent)
        return True, "", "", None

    def do_SetObjectPoses(self, a):
        furniture = [o for o in self.objs if o["receptacle"] and not o["pickupable"]]
        for pose in a.get("objectPoses", []):
            o = next((o for o in self.objs if o["name"] == pose["objectName"]), None)
            if o is None or not o["pickupable"]:
                continue
            o["position"] = dict(pose["position"])
            near = min(furniture, key=lambda f: math.dist(
                [f["position"][k] for k in "xyz"], [o["position"][k] for k in "xyz"]))
            _place(self.objs, o, near)
        return True, "", "", None

    def do_SetObjectToggles(self, a):
        for t in a.get("objectToggles", []):
            for o in self.objs:
                if o["objectType"] == t["objectType"] and o["toggleable"]:
                    o["isToggled"] = bool(t["isOn"])
        return True, "", "", None

    def do_SetStateOfAllObjects(self, a):
        if a.get("StateChange") == "CanBeDirty":
            for o in self.objs:
                o["isDirty"] = o["isDirty"] or o["dirtyable"]
        return True, "", "", None

    # ---- wire ---------------------------------------------------------------------------------
    def frame(self) -> bytes:
        img = np.zeros((self.h, self.w, 3), np.uint8)
        img[..., 0] = (np.arange(self.h) * 255 // max(self.h - 1, 1)).astype(np.uint8)[:, None]
        img[..., 1] = self.seq % 256
        img[..., 2] = int(self.agent["yaw"]) % 256
        return np.ascontiguousarray(img[::-1]).tobytes()  # Unity sends rows bottom-up

    def segmentation(self) -> tuple[bytes, list[dict], list[dict]]:
        """THOR's object image: each visible object a square in its own colour, placed by its bearing and
        sized by its distance, far ones painted first; plus ``colors`` and ``colorBounds`` metadata
        (bounds with y counted from the bottom, as Unity reports them)."""
        a, w, h = self.agent, self.w, self.h
        ids = np.zeros((h, w, 3), np.uint8)
        colors, bounds = [], []
        shown = [o for o in self.objs if o["visible"]]
        for o in sorted(shown, key=lambda o: -o["distance"]):
            if o["isPickedUp"]:
                cx, cy, size = w // 2, h - h // 8, w // 5
            else:
                dx, dz = o["position"]["x"] - a["x"], o["position"]["z"] - a["z"]
                off = (math.degrees(math.atan2(dx, dz)) - a["yaw"] + 180) % 360 - 180 if o["distance"] > 1e-6 else 0
                cx, cy = int(w / 2 + off / FOV_HALF * w / 2), h // 2
                size = int(min(w / 3, max(4, w * 0.12 / max(o["distance"], 0.25))))
            x0, x1 = max(0, cx - size // 2), min(w, cx + size // 2 + 1)
            y0, y1 = max(0, cy - size // 2), min(h, cy + size // 2 + 1)
            code = zlib.crc32(o["objectId"].encode()) | 0x010101  # never black, the background
            color = [(code >> 16) & 255, (code >> 8) & 255, code & 255]
            ids[y0:y1, x0:x1] = color
            colors.append(dict(name=o["objectId"], color=color))
            bounds.append(dict(color=color, bounds=[x0, h - y1, x1, h - y0]))
        return np.ascontiguousarray(ids[::-1]).tobytes(), colors, bounds

    def metadata(self, action, ok, err, code, ret) -> dict:
        self.refresh()
        a = self.agent
        held = self.get(self.held) if self.held else None
        agent = dict(screenWidth=self.w, screenHeight=self.h, sceneName=self.scene, lastAction=action,
                     lastActionSuccess=ok, errorMessage=err, errorCode=code, actionReturn=ret,
                     sequenceId=self.seq, agentId=0, thirdPartyCameras=None, colors=[], colorBounds=[],
                     objects=self.objs,
                     inventoryObjects=[dict(objectId=held["objectId"], objectType=held["objectType"])] if held else [],
                     agent=dict(position=dict(x=a["x"], y=a["y"], z=a["z"]), rotation=dict(x=0.0, y=a["yaw"], z=0.0),
                                cameraHorizon=a["horizon"]),
                     cameraPosition=dict(x=a["x"], y=a["y"] + 0.675, z=a["z"]))
        return dict(agents=[agent], sequenceId=self.seq, activeAgentId=0)
