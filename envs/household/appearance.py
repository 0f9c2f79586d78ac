"""Words for how objects look, for the visual-appearance instructions.

The colours come from the renderer's palette (``palette.py``); shape and size words are derived from
each class's typical dimensions, material words from AI2-THOR's salient materials. ``describe``
finds the fewest attributes (size, colour, shape, material, kind) that single a class out among the
objects of one world, reading every distractor generously: a description fits an object if a human
could plausibly apply it ("silver" fits grey things, "metal" fits a metal-and-plastic knife,
"round" fits a plate).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from envs.household.language import plural  # also right for a lower-case word
from envs.household.palette import PALETTE
from envs.household.world import World

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
# Materials that read as an adjective; food, soap and "organic" say nothing a kind noun doesn't.
MATERIAL_WORDS = {
    "Metal": "metal", "Wood": "wooden", "Glass": "glass", "Plastic": "plastic", "Ceramic": "ceramic",
    "Fabric": "fabric", "Paper": "paper", "Rubber": "rubber", "Wax": "wax", "Sponge": "spongy", "Stone": "stone",
    "Leather": "leather",
}
SIMPLE_SHAPES = ("round", "oval", "long", "flat", "tall")  # go before the colour: "a long black object"
SMALL, LARGE = 0.15, 0.5  # metres: longest dimension at most SMALL is small, at least LARGE is large
ATTRIBUTES = ("size", "colour", "shape", "material", "kind")


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
