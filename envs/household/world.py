"""The mutable state of one household episode: objects, their containment and states, and the agent.

Skills (``skills.py``) change it, goals (``goals.py``) read it, the planner copies it to look ahead.
"""

from __future__ import annotations

import math
import operator

from envs.household import geometry
from envs.household.catalog import Rules, SceneSpec
from envs.household.vocab import base_class, name_of_class

FLOOR = -1  # parent index of an object lying on the floor

# Receptacles whose contents sit inside them rather than on top. AI2-THOR's shelf box is the
# compartment above the board, so things on a shelf rest at the bottom of its box.
INSIDE = frozenset({
    "Cabinet", "Drawer", "Fridge", "Microwave", "Safe", "Box", "SinkBasin", "BathtubBasin", "GarbageCan",
    "Pot", "Pan", "Bowl", "Mug", "Cup", "LaundryHamper", "CoffeeMachine", "Toaster", "Shelf",
})
# Receptacles that hold a single object (AI2-THOR's physics allows no more).
CAPACITY = {"CoffeeMachine": 1, "Toaster": 1, "StoveBurner": 1, "Mug": 1, "Cup": 1}


class Obj:
    """One object instance. ``parent`` is an object index, ``FLOOR``, or ``None`` while held."""

    __slots__ = ("idx", "id", "cls", "name", "center", "size", "pickupable", "receptacle", "openable",
                 "toggleable", "sliceable", "interactive", "parent", "is_open", "is_on", "hot", "cold",
                 "clean", "alive", "slice_of", "pose", "materials", "rotation")

    # Every field spelt out (a field not given is None): a loop of setattr over the slots cost five
    # times as much, and a reset builds some seventy objects, the planner copies worlds all the time.
    def __init__(self, idx=None, id=None, cls=None, name=None, center=None, size=None, pickupable=None,
                 receptacle=None, openable=None, toggleable=None, sliceable=None, interactive=None, parent=None,
                 is_open=None, is_on=None, hot=None, cold=None, clean=None, alive=None, slice_of=None, pose=None,
                 materials=None, rotation=None):
        (self.idx, self.id, self.cls, self.name, self.center, self.size, self.pickupable, self.receptacle,
         self.openable, self.toggleable, self.sliceable, self.interactive, self.parent, self.is_open, self.is_on,
         self.hot, self.cold, self.clean, self.alive, self.slice_of, self.pose, self.materials, self.rotation) = (
            idx, id, cls, name, center, size, pickupable, receptacle, openable, toggleable, sliceable, interactive,
            parent, is_open, is_on, hot, cold, clean, alive, slice_of, pose, materials, rotation)

    def copy(self) -> "Obj":
        return Obj(*_FIELDS(self))

    def state(self) -> dict:
        """The object's logical state, for ground truth and tests."""
        return {
            "id": self.id, "class": self.cls, "name": self.name, "parent": self.parent,
            "is_open": self.is_open, "is_on": self.is_on, "hot": self.hot, "cold": self.cold,
            "clean": self.clean, "sliced": not self.alive and self.slice_of is None,
        }


_FIELDS = operator.attrgetter(*Obj.__slots__)  # in the order __init__ takes them


class Agent:
    __slots__ = ("x", "z", "yaw", "horizon", "held", "cur_receptacle", "cur_name", "focus", "sliced_flag",
                 "put_counts")

    def __init__(self, x: float, z: float, yaw: float, horizon: float = 0.0):
        self.x, self.z, self.yaw, self.horizon = x, z, yaw, horizon
        self.held: int | None = None
        self.cur_receptacle: int | None = None  # target of the last find, where "put down" puts
        self.cur_name: str | None = None  # the name that find was given (EB counts put attempts by it)
        self.focus: int | None = None  # what the last find walked up to; kept until the next find
        self.sliced_flag = False  # EB-ALFRED prefers slices once any slice was attempted
        self.put_counts: dict[str, int] = {}

    def copy(self) -> "Agent":
        new = Agent(self.x, self.z, self.yaw, self.horizon)
        new.held, new.cur_receptacle, new.cur_name, new.focus = self.held, self.cur_receptacle, self.cur_name, self.focus
        new.sliced_flag, new.put_counts = self.sliced_flag, dict(self.put_counts)
        return new


class World:
    """Objects plus agent; object indices are stable for the episode (slices are appended)."""

    def __init__(self, scene: SceneSpec, rules: Rules, objects: list[Obj], agent: Agent):
        self.scene, self.rules = scene, rules
        self.objects, self.agent = objects, agent
        self.events: list[tuple[str, int, int | None]] = []  # (kind, object, other object or None), in order
        self.target: int | None = None  # the object the last skill acted on (its interaction region)
        self.alias: dict[str, int] = {}  # EB's name_to_id: "Cabinet" -> first, "Cabinet_2" -> second
        self._by_class: dict[str, list[int]] | None = None

    def copy(self) -> "World":
        new = World(self.scene, self.rules, [o.copy() for o in self.objects], self.agent.copy())
        new.alias = self.alias
        new.target = self.target
        new._by_class = None
        return new

    # ---- lookups -------------------------------------------------------------------------------
    def by_class(self, cls: str) -> list[int]:
        """Living instances of a class, in world order."""
        if self._by_class is None:
            table: dict[str, list[int]] = {}
            for o in self.objects:
                if o.alive:
                    table.setdefault(o.cls, []).append(o.idx)
            self._by_class = table
        return self._by_class.get(cls, [])

    def by_base(self, cls: str) -> list[int]:
        """Living instances an action naming ``cls`` may address: the class and its slices."""
        return self.by_class(cls) + self.by_class(cls + "Sliced")

    def invalidate(self) -> None:
        self._by_class = None

    def children(self, idx: int) -> list[int]:
        return [o.idx for o in self.objects if o.alive and o.parent == idx]

    def descendants(self, idx: int) -> list[int]:
        """Everything inside or on ``idx``, breadth first, each level in world order."""
        out, k = self.children(idx), 0
        while k < len(out):
            out += self.children(out[k])
            k += 1
        return out

    def ancestors(self, idx: int) -> list[int]:
        """Containers from the innermost outwards (stops at the floor or the hand)."""
        out, p = [], self.objects[idx].parent
        while p is not None and p != FLOOR:
            out.append(p)
            p = self.objects[p].parent
        return out

    def is_held(self, idx: int) -> bool:
        """Held directly, or inside the held object."""
        held = self.agent.held
        if held is None:
            return False
        return idx == held or held in self.ancestors(idx)

    def enclosed(self, idx: int) -> bool:
        """Inside a closed container (hidden from view)."""
        for a in self.ancestors(idx):
            o = self.objects[a]
            if o.openable and not o.is_open and o.cls in self.rules.openable:
                return True
        return False

    def in_reach(self, idx: int) -> bool:
        """In the agent's hand, or within reach and in view (containers aside)."""
        if self.is_held(idx):
            return True
        o, a = self.objects[idx], self.agent
        return geometry.in_view(a.x, a.z, a.yaw, o.center, o.size)

    def visible(self, idx: int) -> bool:
        """In reach and not shut inside something."""
        return self.in_reach(idx) and (self.is_held(idx) or not self.enclosed(idx))

    def parent_in(self, idx: int, pred) -> bool:
        """Whether the object rests in/on an object satisfying ``pred`` (not the floor, not the hand)."""
        p = self.objects[idx].parent
        return p is not None and p >= 0 and pred(p)

    def distance(self, idx: int) -> float:
        o, a = self.objects[idx], self.agent
        return math.hypot(o.center[0] - a.x, o.center[2] - a.z)

    def parent_name(self, idx: int) -> str:
        p = self.objects[idx].parent
        return "Floor" if p == FLOOR else self.objects[p].name

    def static_anchor(self, idx: int) -> int | None:
        """The outermost container that never moves (the furniture an object is in or on)."""
        anc = self.ancestors(idx)
        return anc[-1] if anc and not self.objects[anc[-1]].pickupable else None

    def type_name(self, idx: int) -> str:
        """The class as EB-ALFRED's messages spell it (a basin is its sink)."""
        return name_of_class(base_class(self.objects[idx].cls))

    # ---- moves ---------------------------------------------------------------------------------
    def move_to(self, idx: int, parent: int, spot: tuple[float, float, float]) -> None:
        """Put ``idx`` (and everything in it) at ``spot`` inside/on ``parent``."""
        o = self.objects[idx]
        dx, dy, dz = spot[0] - o.center[0], spot[1] - o.center[1], spot[2] - o.center[2]
        o.parent = parent
        for d in [idx] + self.descendants(idx):
            c = self.objects[d].center
            self.objects[d].center = (c[0] + dx, c[1] + dy, c[2] + dz)

    def emit(self, kind: str, idx: int, other: int | None = None) -> None:
        """Record a change: ``other`` is the receptacle (picked from, put into, heated in...) or tool."""
        self.events.append((kind, idx, other))
