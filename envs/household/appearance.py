"""How each object class looks: one documented palette shared by the renderer and the instructions.

Every class ALFRED knows gets a colour (a basic colour name and the RGB the renderer paints it with),
typical dimensions (from which its shape and size words are derived) and, for small objects, a kind
noun ("utensil", "food item"). The renderer shades the class colour per material (``rgb``), so the
same mug looks the same in every scene. Colours are plausible real-world ones, and small objects
that share a floorplan are kept at least ``MIN_RGB_DISTANCE`` apart so they never look alike.

``describe`` finds the fewest attributes (size, colour, shape, material, kind) that single a class
out among the objects of one world, reading every distractor generously: a description fits an
object if a human could plausibly apply it ("silver" fits grey things, "metal" fits a metal-and-
plastic knife, "round" fits a plate).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from envs.household.language import plural  # also right for a lower-case word
from envs.household.world import World

MIN_RGB_DISTANCE = 30.0


@dataclass(frozen=True)
class Look:
    colour: str
    rgb: tuple[int, int, int]
    dims: tuple[float, float, float]  # typical length, width, height in metres (length >= width)
    kind: str | None = None  # a countable noun for the class's category, None for plain "object"


PALETTE: dict[str, Look] = {
    # food
    "Apple": Look("red", (200, 30, 40), (0.09, 0.09, 0.09), "food item"),
    "AppleSliced": Look("cream", (250, 238, 170), (0.09, 0.09, 0.02), "food item"),
    "Bread": Look("brown", (190, 135, 70), (0.28, 0.14, 0.13), "food item"),
    "BreadSliced": Look("tan", (225, 190, 140), (0.13, 0.12, 0.02), "food item"),
    "Egg": Look("cream", (235, 220, 200), (0.06, 0.045, 0.045), "food item"),
    "Lettuce": Look("green", (100, 180, 60), (0.2, 0.2, 0.15), "food item"),
    "LettuceSliced": Look("light green", (160, 215, 110), (0.15, 0.1, 0.02), "food item"),
    "Potato": Look("brown", (150, 105, 60), (0.11, 0.08, 0.07), "food item"),
    "PotatoSliced": Look("cream", (240, 225, 170), (0.1, 0.08, 0.02), "food item"),
    "Tomato": Look("red", (235, 55, 25), (0.1, 0.1, 0.09), "food item"),
    "TomatoSliced": Look("red", (235, 95, 80), (0.1, 0.1, 0.02), "food item"),
    # utensils, dishes, cookware
    "ButterKnife": Look("silver", (205, 205, 212), (0.2, 0.02, 0.01), "utensil"),
    "Fork": Look("silver", (175, 178, 190), (0.19, 0.03, 0.02), "utensil"),
    "Spoon": Look("silver", (145, 152, 175), (0.18, 0.04, 0.02), "utensil"),
    "Knife": Look("silver", (115, 120, 132), (0.33, 0.04, 0.02), "utensil"),
    "Ladle": Look("grey", (88, 88, 94), (0.3, 0.09, 0.06), "utensil"),
    "Spatula": Look("black", (50, 48, 40), (0.32, 0.07, 0.02), "utensil"),
    "Bowl": Look("blue", (60, 100, 190), (0.19, 0.19, 0.09), "dish"),
    "Plate": Look("white", (250, 250, 250), (0.24, 0.24, 0.02), "dish"),
    "Mug": Look("orange", (235, 135, 50), (0.11, 0.09, 0.1), "dish"),
    "Cup": Look("light blue", (170, 210, 235), (0.09, 0.09, 0.13), "dish"),
    "Pot": Look("grey", (62, 66, 76), (0.3, 0.3, 0.16), None),
    "Pan": Look("black", (12, 12, 15), (0.45, 0.28, 0.05), None),
    "Kettle": Look("red", (170, 30, 35), (0.2, 0.2, 0.22), None),
    # bottles and kitchen odds and ends
    "WineBottle": Look("dark green", (30, 85, 45), (0.09, 0.09, 0.33), "bottle"),
    "Glassbottle": Look("light green", (150, 205, 170), (0.11, 0.11, 0.25), "bottle"),
    "SoapBottle": Look("pink", (235, 140, 185), (0.11, 0.08, 0.24), "bottle"),
    "SprayBottle": Look("blue", (30, 120, 230), (0.11, 0.07, 0.25), "bottle"),
    "SaltShaker": Look("white", (245, 245, 215), (0.06, 0.06, 0.11), None),
    "PepperShaker": Look("brown", (95, 60, 35), (0.06, 0.06, 0.11), None),
    "DishSponge": Look("yellow", (240, 220, 50), (0.14, 0.09, 0.03), None),
    "PaperTowelRoll": Look("white", (215, 228, 240), (0.11, 0.11, 0.21), None),
    "PaperTowel": Look("white", (242, 242, 235), (0.25, 0.25, 0.01), None),
    # electronics and desk things
    "CellPhone": Look("black", (20, 25, 55), (0.15, 0.07, 0.01), "device"),
    "Laptop": Look("grey", (120, 120, 130), (0.44, 0.3, 0.03), "device"),
    "RemoteControl": Look("black", (50, 50, 58), (0.21, 0.06, 0.02), "device"),
    "AlarmClock": Look("red", (185, 40, 55), (0.18, 0.1, 0.15), "device"),
    "Watch": Look("gold", (225, 185, 80), (0.06, 0.05, 0.02), None),
    "KeyChain": Look("silver", (185, 185, 180), (0.1, 0.06, 0.01), None),
    "CreditCard": Look("gold", (200, 160, 40), (0.09, 0.055, 0.005), None),
    "CD": Look("silver", (205, 205, 220), (0.12, 0.12, 0.005), None),
    "Pen": Look("blue", (30, 60, 170), (0.15, 0.01, 0.01), "writing tool"),
    "Pencil": Look("yellow", (250, 200, 30), (0.17, 0.01, 0.01), "writing tool"),
    "Book": Look("dark blue", (40, 50, 110), (0.3, 0.22, 0.04), None),
    "Newspaper": Look("grey", (215, 212, 200), (0.36, 0.24, 0.02), None),
    # home, decor, sports
    "Box": Look("brown", (180, 130, 80), (0.46, 0.44, 0.29), None),
    "TissueBox": Look("light blue", (150, 190, 225), (0.24, 0.12, 0.1), None),
    "Candle": Look("cream", (240, 230, 190), (0.06, 0.06, 0.14), "decoration"),
    "Vase": Look("teal", (40, 140, 140), (0.16, 0.16, 0.3), "decoration"),
    "Statue": Look("grey", (160, 160, 150), (0.2, 0.18, 0.34), "decoration"),
    "Pillow": Look("beige", (225, 205, 170), (0.5, 0.4, 0.14), None),
    "Cloth": Look("purple", (130, 70, 160), (0.22, 0.2, 0.02), None),
    "HandTowel": Look("light green", (165, 215, 175), (0.4, 0.25, 0.02), None),
    "Towel": Look("blue", (120, 160, 210), (0.6, 0.4, 0.03), None),
    "SoapBar": Look("pink", (240, 175, 200), (0.1, 0.07, 0.03), None),
    "ToiletPaper": Look("white", (250, 250, 245), (0.11, 0.11, 0.11), None),
    "ToiletPaperRoll": Look("white", (245, 245, 240), (0.11, 0.11, 0.11), None),
    "Plunger": Look("red", (190, 30, 30), (0.15, 0.15, 0.55), "tool"),
    "ScrubBrush": Look("green", (60, 160, 90), (0.13, 0.13, 0.48), "tool"),
    "WateringCan": Look("green", (70, 150, 70), (0.3, 0.15, 0.2), "tool"),
    "BaseballBat": Look("tan", (205, 165, 110), (0.9, 0.07, 0.07), "sports item"),
    "BasketBall": Look("orange", (210, 95, 20), (0.24, 0.24, 0.24), "sports item"),
    "TennisRacket": Look("yellow", (225, 215, 50), (0.68, 0.27, 0.03), "sports item"),
    "TeddyBear": Look("brown", (165, 110, 60), (0.4, 0.35, 0.45), None),
    "Boots": Look("brown", (100, 60, 35), (0.29, 0.12, 0.5), None),
    "LaundryHamperLid": Look("white", (230, 225, 210), (0.5, 0.5, 0.05), None),
    # furniture and fixtures
    "ArmChair": Look("green", (80, 110, 70), (0.95, 0.9, 0.9), "furniture"),
    "Bed": Look("white", (235, 235, 240), (2.1, 1.6, 0.9), "furniture"),
    "Cabinet": Look("brown", (140, 95, 55), (0.6, 0.4, 0.7), "furniture"),
    "Cart": Look("grey", (130, 130, 140), (0.8, 0.5, 0.9), "furniture"),
    "Chair": Look("brown", (120, 80, 45), (0.57, 0.57, 0.95), "furniture"),
    "CoffeeTable": Look("brown", (110, 75, 45), (1.0, 0.9, 0.44), "furniture"),
    "CounterTop": Look("grey", (175, 170, 160), (1.3, 1.0, 0.05), "furniture"),
    "Desk": Look("brown", (150, 105, 65), (1.25, 0.8, 0.8), "furniture"),
    "DiningTable": Look("brown", (130, 85, 50), (1.2, 1.0, 0.78), "furniture"),
    "Drawer": Look("brown", (160, 115, 70), (0.43, 0.42, 0.19), "furniture"),
    "Dresser": Look("brown", (100, 65, 40), (1.0, 0.67, 0.97), "furniture"),
    "Footstool": Look("brown", (130, 90, 60), (0.3, 0.3, 0.3), "furniture"),
    "LaundryHamper": Look("beige", (210, 190, 150), (0.5, 0.5, 0.74), "furniture"),
    "Ottoman": Look("grey", (100, 100, 110), (0.85, 0.52, 0.43), "furniture"),
    "Safe": Look("grey", (90, 95, 100), (0.53, 0.52, 0.51), "furniture"),
    "Shelf": Look("brown", (170, 125, 80), (0.6, 0.4, 0.03), "furniture"),
    "SideTable": Look("brown", (125, 85, 55), (0.53, 0.53, 0.67), "furniture"),
    "Sofa": Look("grey", (110, 115, 130), (2.0, 0.95, 0.95), "furniture"),
    "TVStand": Look("black", (45, 40, 40), (1.05, 0.5, 0.73), "furniture"),
    "HousePlant": Look("green", (40, 130, 50), (0.37, 0.36, 0.64), "decoration"),
    "Painting": Look("multicoloured", (170, 120, 150), (0.84, 0.1, 0.6), "decoration"),
    "Poster": Look("multicoloured", (160, 140, 190), (0.7, 0.05, 0.9), "decoration"),
    "Mirror": Look("silver", (200, 215, 225), (0.5, 0.1, 0.85), "fixture"),
    "Window": Look("light blue", (190, 220, 240), (0.8, 0.26, 1.43), "fixture"),
    "Blinds": Look("white", (240, 238, 230), (0.87, 0.03, 0.2), "fixture"),
    "Curtains": Look("beige", (220, 200, 160), (0.96, 0.19, 2.17), "fixture"),
    "LightSwitch": Look("white", (245, 245, 245), (0.11, 0.04, 0.15), "fixture"),
    "Faucet": Look("silver", (200, 200, 205), (0.26, 0.24, 0.21), "fixture"),
    "Sink": Look("white", (240, 240, 245), (0.61, 0.59, 0.15), "fixture"),
    "SinkBasin": Look("white", (232, 236, 240), (0.38, 0.37, 0.13), "fixture"),
    "Bathtub": Look("white", (245, 245, 250), (1.78, 1.35, 0.6), "fixture"),
    "BathtubBasin": Look("white", (238, 240, 245), (1.3, 0.67, 0.42), "fixture"),
    "ShowerDoor": Look("light blue", (200, 225, 235), (0.81, 0.07, 1.96), "fixture"),
    "ShowerGlass": Look("light blue", (205, 230, 240), (1.22, 1.05, 1.97), "fixture"),
    "Toilet": Look("white", (248, 248, 248), (0.97, 0.96, 1.04), "fixture"),
    "ToiletPaperHanger": Look("silver", (190, 190, 195), (0.2, 0.11, 0.08), "fixture"),
    "HandTowelHolder": Look("silver", (185, 185, 190), (0.17, 0.05, 0.21), "fixture"),
    "TowelHolder": Look("silver", (180, 180, 188), (0.66, 0.11, 0.04), "fixture"),
    "GarbageCan": Look("grey", (140, 140, 140), (0.39, 0.39, 0.54), None),
    "DeskLamp": Look("beige", (230, 215, 180), (0.28, 0.28, 0.46), "lamp"),
    "FloorLamp": Look("black", (40, 40, 45), (0.52, 0.52, 1.88), "lamp"),
    # appliances
    "Fridge": Look("silver", (210, 212, 215), (0.93, 0.74, 1.87), "appliance"),
    "Microwave": Look("black", (30, 30, 35), (0.61, 0.37, 0.35), "appliance"),
    "CoffeeMachine": Look("black", (45, 45, 50), (0.45, 0.44, 0.44), "appliance"),
    "Toaster": Look("silver", (195, 195, 200), (0.35, 0.31, 0.21), "appliance"),
    "StoveBurner": Look("black", (25, 25, 25), (0.22, 0.22, 0.02), "appliance"),
    "StoveKnob": Look("black", (50, 50, 50), (0.07, 0.07, 0.07), "appliance"),
    "Television": Look("black", (20, 20, 25), (1.1, 0.1, 0.7), "appliance"),
}

# Colour families: a viewer could use any name in a family for the others ("silver" for grey).
FAMILIES = {
    "light green": ("green",), "dark green": ("green",), "teal": ("green", "blue"), "light blue": ("blue",),
    "dark blue": ("blue",), "tan": ("brown",), "beige": ("brown", "white"), "cream": ("white",),
    "silver": ("grey",), "gold": ("yellow",), "pink": ("red",), "orange": ("red",),
}
ROUND = frozenset({"Apple", "Tomato", "Lettuce", "BasketBall", "Bowl"})
OVAL = frozenset({"Egg", "Potato"})
# A cylinder is also "round"; a tall one (a bottle) is called tall first.
CYLINDRICAL = frozenset({"Mug", "Cup", "Pot", "Kettle", "Vase", "SaltShaker", "PepperShaker", "Candle",
                         "ToiletPaper", "ToiletPaperRoll", "PaperTowelRoll", "GarbageCan", "WineBottle",
                         "Glassbottle", "SoapBottle", "SprayBottle"})
DISCS = frozenset({"Plate", "CD", "Pan", "Watch", "StoveBurner"})  # flat, and round too
# Further shape words a viewer might use for a class besides the ones above.
ALSO = {
    "Apple": ("oval",), "Tomato": ("oval",), "Lettuce": ("oval",), "SaltShaker": ("tall",),
    "PepperShaker": ("tall",), "CellPhone": ("box-shaped",), "Book": ("box-shaped",),
    "RemoteControl": ("box-shaped",), "SoapBar": ("box-shaped",), "DishSponge": ("box-shaped",),
    "TissueBox": ("long",), "Bread": ("long",),
}
MATERIAL_SHADE = {  # the renderer's brightness factor per AI2-THOR salient material
    "Metal": 1.12, "Glass": 1.08, "Plastic": 1.0, "Ceramic": 1.04, "Wood": 0.9, "Fabric": 0.88,
    "Paper": 1.02, "Rubber": 0.85, "Food": 1.0, "Leather": 0.86, "Stone": 0.94, "Wax": 1.03,
    "Sponge": 0.97, "Soap": 1.02, "Organic": 0.92,
}
# Materials that read as an adjective; food, soap and "organic" say nothing a kind noun doesn't.
MATERIAL_WORDS = {
    "Metal": "metal", "Wood": "wooden", "Glass": "glass", "Plastic": "plastic", "Ceramic": "ceramic",
    "Fabric": "fabric", "Paper": "paper", "Rubber": "rubber", "Wax": "wax", "Sponge": "spongy", "Stone": "stone",
    "Leather": "leather",
}
SIMPLE_SHAPES = ("round", "oval", "long", "flat", "tall")  # go before the colour: "a long black object"
SMALL, LARGE = 0.15, 0.5  # metres: longest dimension at most SMALL is small, at least LARGE is large
ATTRIBUTES = ("size", "colour", "shape", "material", "kind")


def rgb(cls: str, materials: tuple[str, ...] = ()) -> tuple[int, int, int]:
    """The colour to paint an instance: its class colour, shaded by its first material."""
    f = MATERIAL_SHADE.get(materials[0], 1.0) if materials else 1.0
    return tuple(int(min(255, round(c * f))) for c in PALETTE[cls].rgb)


def shape(cls: str) -> str:
    """The class's shape word, from its typical dimensions unless it is a ball, an egg or a tube."""
    if cls in ROUND:
        return "round"
    if cls in OVAL:
        return "oval"
    length, width, height = PALETTE[cls].dims
    if height >= 2 * length:
        return "tall"
    if length >= 2.5 * max(width, height):
        return "long"
    if height <= 0.25 * width:
        return "flat"
    return "cylindrical" if cls in CYLINDRICAL else "box-shaped"


def shape_words(cls: str) -> set[str]:
    """Every shape word a viewer might use for ``cls``, its own included."""
    words = {shape(cls), *ALSO.get(cls, ())}
    if cls in CYLINDRICAL:
        words |= {"cylindrical", "round"}
    if cls in ROUND | OVAL | DISCS:
        words.add("round")
    return words


def size(cls: str) -> str | None:
    longest = max(PALETTE[cls].dims)
    return "small" if longest <= SMALL else "large" if longest >= LARGE else None


def fits(attr: str, word: str, cls: str, materials: tuple[str, ...]) -> bool:
    """Whether a viewer could apply ``word`` to an object of ``cls`` (read generously)."""
    look = PALETTE[cls]
    if attr == "colour":
        return bool(set(FAMILIES.get(look.colour, (look.colour,))) & set(FAMILIES.get(word, (word,))))
    if attr == "shape":
        return word in shape_words(cls)
    if attr == "material":
        return any(MATERIAL_WORDS.get(m) == word for m in materials)
    if attr == "size":  # only clearly different sizes rule a distractor out
        longest = max(look.dims)
        return longest < 2 * SMALL if word == "small" else longest > 0.7 * LARGE
    return look.kind == word


def attributes(world: World, cls: str) -> dict[str, str]:
    """The words that truly describe every instance of ``cls`` in ``world`` (material only when
    all instances are made of that one material)."""
    look = PALETTE[cls]
    out = {"colour": look.colour, "shape": shape(cls)}
    if size(cls):
        out["size"] = size(cls)
    mats = {world.objects[i].materials for i in world.by_class(cls)}
    if len(mats) == 1 and len(next(iter(mats))) == 1 and next(iter(mats))[0] in MATERIAL_WORDS:
        out["material"] = MATERIAL_WORDS[next(iter(mats))[0]]
    if look.kind:
        out["kind"] = look.kind
    return out


def distinguishing(world: World, cls: str) -> list[dict[str, str]]:
    """Every smallest set of attributes of ``cls`` that no other object in ``world`` fits."""
    own = attributes(world, cls)
    others = sorted({(o.cls, o.materials) for o in world.objects
                     if o.alive and o.interactive and o.cls != cls and o.cls in PALETTE})
    names = [a for a in ATTRIBUTES if a in own]
    for k in range(1, len(names) + 1):
        found = []
        for combo in combinations(names, k):
            if not set(combo) & {"colour", "shape", "material"}:
                continue  # "the small thing" or "the utensil" alone says nothing about looks
            if not any(all(fits(a, own[a], c, m) for a in combo) for c, m in others):
                found.append({a: own[a] for a in combo})
        if found:
            return found
    return []


def phrase(words: dict[str, str], head: str = "object") -> tuple[str, str]:
    """``("small blue box-shaped object", "small blue box-shaped objects")`` in the usual English
    order (size, simple shape, colour, other shape, material); the kind, when chosen, is the head."""
    simple = words.get("shape") in SIMPLE_SHAPES
    order = ("size", "shape", "colour", "material") if simple else ("size", "colour", "shape", "material")
    adjs = [words[a] for a in order if a in words]
    noun = words.get("kind", head)
    return " ".join(adjs + [noun]), " ".join(adjs + [plural(noun)])


def describe(world: World, cls: str, rng: np.random.Generator) -> tuple[str, str] | None:
    """A singular and a plural description that single ``cls`` out in ``world``, or ``None``."""
    options = distinguishing(world, cls) if cls in PALETTE and world.by_class(cls) else []
    if not options:
        return None
    words = options[int(rng.integers(len(options)))]
    return phrase(words, head="object" if rng.random() < 0.5 else "thing")
