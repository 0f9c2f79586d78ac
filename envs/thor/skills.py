"""EB-ALFRED's high-level skills as ai2thor 2.1.0 actions, following EmbodiedBench's ``ThorConnector``
(``envs/eb_alfred/thor_connector.py``) and ``EBAlfEnv.step``, with the household env's feedback text.

| skill                        | THOR actions                                                            |
|------------------------------|-------------------------------------------------------------------------|
| find a X                     | TeleportFull to the reachable grid point nearest X, facing it (20 tries) |
| pick up the X                | PickupObject                                                            |
| put down the object in hand  | PutObject into the last found receptacle, with EB's look/step retries  |
| drop the object in hand      | DropHandObject                                                          |
| open / close the X           | OpenObject (4 tries, stepping back/aside) / CloseObject                 |
| turn on / turn off the X     | ToggleObjectOn / ToggleObjectOff                                        |
| slice the X                  | SliceObject                                                             |

Instance choice is EB's ``get_obj_id_from_name``: match the objectId's type prefix, rank by distance,
+100000 when shut inside a closed receptacle, +1000 when out of view (where asked), -100 for a slice
once something was sliced. ``Type_k`` aliases (and the bare name of a multi-instance type) name one
objectId for find/open/close, as EB's ``name_to_id_dict``. Success is an empty error message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from envs.household.skills import INVALID, SUCCESS
from envs.thor.goals import Treated
from envs.thor.vocab import aliases, skill_of, type_of

AGENT_HEIGHT = 0.9           # ThorConnector.agent_height
CAMERA_HEIGHT_OFFSET = 0.75  # ALFRED gen/constants.py
FIND_TRIES = 20
# EB's PutObject retries: pose adjustments tried in turn before each round of PutObject attempts
PUT_MOVES = ((), ("LookUp", "LookUp"), ("LookDown",) * 4, ("LookUp", "LookUp", "MoveBack"),
             ("MoveAhead",) + ("MoveRight",) * 4, ("MoveLeft",) * 8, ("MoveRight",) * 4 + ("RotateHand",))
OPEN_MOVES = (("MoveBack",), ("MoveBack", "MoveRight"), ("MoveLeft", "MoveLeft"), ())


@dataclass(frozen=True)
class Outcome:
    success: bool
    feedback: str
    target: str | None = None            # objectId the skill acted on (or tried to)
    events: tuple[dict, ...] = field(default_factory=tuple)


class ThorSkills:
    """Runs skills through ``step`` (one controller action -> its Event), keeping EB's skill state."""

    def __init__(self, step: Callable[[dict], object]):
        self._controller_step = step

    def reset(self, event, reachable: list[dict]) -> None:
        self.meta = event.metadata
        self.reachable = [(float(p["x"]), float(p["z"])) for p in reachable]
        self.name_to_id, self.receptacle_aliases, self.pickable_aliases = aliases(self.meta)
        self.id_to_name = {v: k for k, v in self.name_to_id.items()}
        self.cur_receptacle: str | None = None
        self.sliced = False
        self.put_counts: dict[str, int] = {}
        self.treated = Treated()
        self.held = self._held()

    # ---- plumbing ---------------------------------------------------------------------------------
    def step(self, action: dict):
        """One controller action; keeps the metadata, ALFRED's heated/cooled/cleaned sets and events."""
        before = {o["objectId"]: o for o in self.meta["objects"]}
        held = self.held
        event = self._controller_step(action)
        self.meta = event.metadata
        self.held = self._held()
        if self.meta.get("lastActionSuccess"):
            self._log(action, before, held)
            for kind, oid, by in self.treated.update(action, self.meta):
                self._emit(kind, oid, by)
        return event

    def _held(self) -> str | None:
        inv = self.meta.get("inventoryObjects") or []
        return inv[0]["objectId"] if inv else None

    def _emit(self, kind: str, oid: str, other: str | None = None) -> None:
        self.events.append({"event": kind, "object": oid, "class": self._class(oid), "other": other,
                            "other_class": self._class(other) if other else None})

    def _class(self, oid: str) -> str:
        o = self.obj(oid)
        return o["objectType"] if o else type_of(oid)

    def _log(self, action: dict, before: dict, held: str | None) -> None:
        name, oid = action.get("action"), action.get("objectId")
        simple = {"OpenObject": "opened", "CloseObject": "closed", "ToggleObjectOn": "toggled_on",
                  "ToggleObjectOff": "toggled_off"}
        if name == "PickupObject":
            parents = before.get(oid, {}).get("parentReceptacles") or []
            self._emit("picked", oid, parents[-1] if parents else None)
        elif name == "PutObject":
            self._emit("put", oid, action.get("receptacleObjectId"))
        elif name == "DropHandObject" and held:
            self._emit("dropped", held)
        elif name in simple:
            self._emit(simple[name], oid)
        elif name == "SliceObject":
            self._emit("sliced", oid, held)

    def obj(self, oid: str | None) -> dict | None:
        return next((o for o in self.meta["objects"] if o["objectId"] == oid), None)

    def ok(self) -> bool:
        return bool(self.meta.get("lastActionSuccess"))

    # ---- instance choice (EB's get_obj_id_from_name) -----------------------------------------------
    def resolve(self, name: str, pickupable=False, toggleable=False, prefer_visible=False, prefer_sliced=False,
                inherited=False, exclude: str | None = None) -> str | None:
        if "|" in name:
            return name if self.obj(name) else None
        best, best_score = None, math.inf
        for o in self.meta["objects"]:
            oid = o["objectId"]
            if oid == exclude or type_of(oid).casefold() != name.casefold():
                continue
            if (pickupable and not o["pickupable"]) or (toggleable and not o["toggleable"]):
                continue
            if inherited and len(oid.split("|")) != 5:
                continue
            score = o["distance"]
            if any((p := self.obj(pid)) and p["openable"] and not p["isOpen"] for pid in o["parentReceptacles"] or []):
                score += 100000
            if name.casefold() == "stoveburner" and o["receptacleObjectIds"]:
                score += 10000
            if prefer_visible and not o["visible"]:
                score += 1000
            if prefer_sliced and "_Slice" in o["name"]:
                score -= 100
            if score < best_score:
                best, best_score = oid, score
        return best

    # ---- skills -----------------------------------------------------------------------------------
    def execute(self, text: str) -> Outcome:
        text = text.strip().removesuffix(".")
        self.events = []
        if not (text.startswith("put down ") or text.startswith("open ")):
            self.cur_receptacle = None
        self.target = None
        words = text.split(" ")
        if words[0] in ("find", "open", "close") and words[-1] in self.name_to_id:  # EBAlfEnv.step
            text = " ".join(words[:-1] + [self.name_to_id[words[-1]]])
        msg = self._dispatch(text)
        return Outcome(not msg, INVALID + msg if msg else SUCCESS, self.target, tuple(self.events))

    def _dispatch(self, text: str) -> str:
        parsed = skill_of(text)
        if parsed is None:
            return "instruction not supported"
        verb, arg = parsed
        if verb == "put down":
            return self.put() if self.cur_receptacle is not None else self.drop()
        if verb == "slice":
            msg = self.slice(arg)
            self.sliced = True  # EB sets it whatever the outcome
            return msg
        run = {"find": self.find, "pick up": self.pick, "open": self.open, "close": self.close,
               "turn on": lambda a: self.toggle(a, on=True), "turn off": lambda a: self.toggle(a, on=False),
               "drop": lambda a: self.drop()}
        return run[verb](arg)

    def find(self, name: str) -> str:
        label = type_of(name)
        if "|" in name:  # an alias: that instance, or (once it is cut) its nearest slice
            slices = sorted((o["distance"], o["objectId"]) for o in self.meta["objects"]
                            if o["objectId"].startswith(name + "|"))
            oid = name if self.obj(name) else (slices[0][1] if slices else None)
        else:
            oid = self.resolve(label, prefer_visible=True, prefer_sliced=self.sliced)
        if oid is None:
            return (f"Cannot find {label}. This object may not exist in this scene. "
                    "Try to explore other instances instead.")
        self.target = oid
        o = self.obj(oid)
        loc, obj_rot = o["position"], o["rotation"]["y"]
        order = sorted(self.reachable, key=lambda p: (p[0] - loc["x"]) ** 2 + (p[1] - loc["z"]) ** 2)
        nth = 0
        for i in range(FIND_TRIES):
            nth += 1
            if i == 10 and label in ("Fridge", "Microwave"):
                nth -= 10
            if nth - 1 >= len(order):
                break
            x, z = order[nth - 1]
            rot = math.atan2(-(loc["x"] - x), loc["z"] - z)
            rot = -math.degrees(rot - 2 * math.pi if rot > 0 else rot)
            if i < 10 and label in ("Fridge", "Microwave"):  # EB: face the door, not the side
                diff = abs(_angle_diff(rot, obj_rot))
                if label == "Fridge" and not (70 < diff < 110 or 250 < diff < 290):
                    continue
                if label == "Microwave" and not (160 < diff < 200 or diff < 20):
                    continue
            cam = AGENT_HEIGHT + CAMERA_HEIGHT_OFFSET
            hor = math.degrees(math.atan2(loc["y"] - cam, math.hypot(loc["x"] - x, loc["z"] - z))) * 0.9
            self.step(dict(action="TeleportFull", x=float(x), y=AGENT_HEIGHT, z=float(z), rotation=float(rot),
                           horizon=float(-hor)))
            if self.ok():
                self.cur_receptacle = name  # a type name, or the objectId an alias stands for
                return ""
        return f"Cannot move to {label}"

    def pick(self, name: str) -> str:
        oid = self.resolve(self.name_to_id.get(name, name) if "_" in name else name, pickupable=True,
                           prefer_visible=True, prefer_sliced=self.sliced)
        if oid is None:
            return f"Cannot find {name} to pick up. Find the object before picking up it"
        self.target = oid
        o = self.obj(oid)
        hidden = not o["visible"] and o["parentReceptacles"]
        self.step(dict(action="PickupObject", objectId=oid, forceAction=False))
        if self.ok():
            return ""
        if hidden:
            recep = o["parentReceptacles"][0]
            where = self.id_to_name.get(recep, type_of(recep))
            return f"{name} is not visible because it is in {where}. Go there to pick the object instead."
        if self.held is None:
            return "Robot is not holding any object"
        return f"Robot is currently holding {self._class(self.held)}"

    def put(self) -> str:
        if self.held is None:
            return "Robot is not holding any object"
        cur = self.cur_receptacle
        self.put_counts[cur] = self.put_counts.get(cur, 0) + 1
        label = type_of(cur)
        msg = (f"Putting the object on {label} failed. First check the receptacle is open or not. "
               "Also try other instances of the receptacle")
        held, last, exclude = self.held, None, None
        for k in range(2):  # the receptacle found, then the next nearest of its type
            for moves in PUT_MOVES:
                for m in moves:
                    self.step(dict(action=m, x=40) if m == "RotateHand" else dict(action=m))
                for i in range(2):  # the object itself, then an inherited one (a sink's basin)
                    if k == 1 and exclude is None:
                        exclude = last
                    if k == 0 and "|" in cur:
                        if i == 1:
                            continue
                        rid = cur
                    else:
                        basin_first = label in ("Sink", "Bathtub")
                        rid = self.resolve(label, inherited=(i == 0) == basin_first, exclude=exclude)
                    if rid is None:
                        continue
                    self.target = rid
                    self.step(dict(action="PutObject", objectId=held, receptacleObjectId=rid, forceAction=True))
                    last = rid
                    if self.ok():
                        return ""
        if self.put_counts[cur] >= 3:
            self.drop()
            msg += ". The robot dropped the object instead."
        return msg

    def drop(self) -> str:
        if self.held is None:
            return "Robot is not holding any object"
        self.target = self.held
        self.step(dict(action="DropHandObject", forceAction=True))
        return "" if self.ok() else "Drop action failed"

    def open(self, name: str) -> str:
        label = type_of(name)
        oid = self.resolve(name)
        if oid is None:
            return f"Cannot find {label} to open. Find the object before opening it"
        self.target = oid
        o = self.obj(oid)
        already = o["openable"] and o["isOpen"]
        for moves in OPEN_MOVES:
            self.step(dict(action="OpenObject", objectId=oid))
            if self.ok():
                return ""
            for m in moves:
                self.step(dict(action=m))
        return f"Open action failed. The {label} is already open" if already else "Open action failed."

    def close(self, name: str) -> str:
        label = type_of(name)
        oid = self.resolve(name)
        if oid is None:
            return f"Cannot find {label} to close"
        self.target = oid
        self.step(dict(action="CloseObject", objectId=oid))
        if self.ok():
            return ""
        o = self.obj(oid)
        closed = o is not None and o["openable"] and not o["isOpen"]
        return "Close action failed" + (f". The {label} is already closed" if closed else "")

    def toggle(self, name: str, on: bool) -> str:
        verb = "turn on" if on else "turn off"
        oid = self.resolve(name, toggleable=True)
        if oid is None:
            return f"Cannot find {name} to {verb}"
        self.target = oid
        self.step(dict(action="ToggleObjectOn" if on else "ToggleObjectOff", objectId=oid))
        return "" if self.ok() else f"Turn {'on' if on else 'off'} action failed"

    def slice(self, name: str) -> str:
        oid = self.resolve(name)
        if oid is None:
            return f"Cannot find {name} to slice"
        self.target = oid
        self.step(dict(action="SliceObject", objectId=oid))
        return "" if self.ok() else "Slice action failed"


def _angle_diff(x: float, y: float) -> float:
    x, y = math.radians(x), math.radians(y)
    return math.degrees(math.atan2(math.sin(x - y), math.cos(x - y)))
