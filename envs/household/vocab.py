"""EB-ALFRED's skill vocabulary: the object lists, the 162 global actions in their exact id order,
and the per-episode alias actions for multi-instance objects.

The lists and their order are EmbodiedBench facts (``envs/eb_alfred/utils.py``), written here again
so that an agent, a prompt or an evaluation built for EB-ALFRED addresses the same ids.
"""

from __future__ import annotations

FIND_OBJECTS = (
    "Cart", "Potato", "Faucet", "Ottoman", "CoffeeMachine", "Candle", "CD", "Pan", "Watch",
    "HandTowel", "SprayBottle", "BaseballBat", "CellPhone", "Kettle", "Mug", "StoveBurner", "Bowl",
    "Toilet", "DiningTable", "Spoon", "TissueBox", "Shelf", "Apple", "TennisRacket", "SoapBar",
    "Cloth", "Plunger", "FloorLamp", "ToiletPaperHanger", "CoffeeTable", "Spatula", "Plate", "Bed",
    "Glassbottle", "Knife", "Tomato", "ButterKnife", "Dresser", "Microwave", "CounterTop",
    "GarbageCan", "WateringCan", "Vase", "ArmChair", "Safe", "KeyChain", "Pot", "Pen", "Cabinet",
    "Desk", "Newspaper", "Drawer", "Sofa", "Bread", "Book", "Lettuce", "CreditCard", "AlarmClock",
    "ToiletPaper", "SideTable", "Fork", "Box", "Egg", "DeskLamp", "Ladle", "WineBottle", "Pencil",
    "Laptop", "RemoteControl", "BasketBall", "DishSponge", "Cup", "SaltShaker", "PepperShaker",
    "Pillow", "Bathtub", "SoapBottle", "Statue", "Fridge", "Sink",
)

PICK_OBJECTS = (
    "KeyChain", "Potato", "Pot", "Pen", "Candle", "CD", "Pan", "Watch", "Newspaper", "HandTowel",
    "SprayBottle", "BaseballBat", "Bread", "CellPhone", "Book", "Lettuce", "CreditCard", "Mug",
    "AlarmClock", "Kettle", "ToiletPaper", "Bowl", "Fork", "Box", "Egg", "Spoon", "TissueBox",
    "Apple", "TennisRacket", "Ladle", "WineBottle", "Cloth", "Plunger", "SoapBar", "Pencil",
    "Laptop", "RemoteControl", "BasketBall", "DishSponge", "Cup", "Spatula", "SaltShaker",
    "Plate", "PepperShaker", "Pillow", "Glassbottle", "SoapBottle", "Knife", "Statue", "Tomato",
    "ButterKnife", "WateringCan", "Vase",
)

OPEN_OBJECTS = ("Safe", "Laptop", "Fridge", "Box", "Microwave", "Cabinet", "Drawer")
TOGGLE_OBJECTS = ("Microwave", "DeskLamp", "FloorLamp", "Faucet")
SLICE_OBJECTS = ("Potato", "Lettuce", "Tomato", "Apple", "Bread")

PUT_DOWN = "put down the object in hand"
DROP = "drop the object in hand"

# EB-ALFRED names a basin by its sink ("find a Sink"); the world's receptacle class is the basin.
NAME_TO_CLASS = {"Sink": "SinkBasin", "Bathtub": "BathtubBasin"}
CLASS_TO_NAME = {v: k for k, v in NAME_TO_CLASS.items()}

SLICED_SUFFIX = "Sliced"
KNIVES = ("Knife", "ButterKnife")


def global_actions() -> list[str]:
    """The 162 actions every episode starts with, in EB-ALFRED's id order."""
    actions = [f"find a {o}" for o in FIND_OBJECTS]
    actions += [f"pick up the {o}" for o in PICK_OBJECTS]
    actions += [PUT_DOWN, DROP]
    for o in OPEN_OBJECTS:
        actions += [f"open the {o}", f"close the {o}"]
    for o in TOGGLE_OBJECTS:
        actions += [f"turn on the {o}", f"turn off the {o}"]
    actions += [f"slice the {o}" for o in SLICE_OBJECTS]
    return actions


GLOBAL_ACTIONS = tuple(global_actions())
assert len(GLOBAL_ACTIONS) == 162


def alias_actions(receptacle_aliases: list[str], pickable_aliases: list[str]) -> list[str]:
    """Per-episode extras appended after id 161, ordered as EB-ALFRED orders them.

    ``receptacle_aliases`` and ``pickable_aliases`` are the ``Type_k`` names (k >= 2) of the scene's
    multi-instance receptacles and pickable non-receptacles. EB sorts them as strings, so
    ``Cabinet_10`` comes before ``Cabinet_2``; we keep that order on purpose.
    """
    recs = sorted(set(receptacle_aliases))
    picks = sorted(set(pickable_aliases))
    actions = [f"find a {a}" for a in recs]
    for a in recs:
        if base_of_alias(a) in OPEN_OBJECTS:
            actions += [f"open the {a}", f"close the {a}"]
    actions += [f"find a {a}" for a in picks if base_of_alias(a) in PICK_OBJECTS]
    return actions


def base_of_alias(name: str) -> str:
    """``Cabinet_2`` -> ``Cabinet``; a bare name is its own base."""
    head, _, tail = name.rpartition("_")
    return head if head and tail.isdigit() else name


def class_of_name(name: str) -> str:
    """The world class an action name refers to (``Sink`` -> ``SinkBasin``)."""
    return NAME_TO_CLASS.get(name, name)


def name_of_class(cls: str) -> str:
    """The name EB-ALFRED's actions use for a world class (``SinkBasin`` -> ``Sink``)."""
    return CLASS_TO_NAME.get(cls, cls)


def base_class(cls: str) -> str:
    """``AppleSliced`` -> ``Apple``: the class whose actions also address its slices."""
    return cls[: -len(SLICED_SUFFIX)] if cls.endswith(SLICED_SUFFIX) else cls
