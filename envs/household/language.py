"""Words for world classes: how an instruction names an object in plain English."""

from __future__ import annotations

import re

NATURAL = {
    "CounterTop": "counter", "SinkBasin": "sink", "BathtubBasin": "bathtub", "TVStand": "TV stand",
    "CD": "CD", "GarbageCan": "garbage can", "DeskLamp": "desk lamp", "FloorLamp": "floor lamp",
    "Glassbottle": "glass bottle", "KeyChain": "key chain", "CellPhone": "cell phone",
    "CreditCard": "credit card", "RemoteControl": "remote control", "DishSponge": "dish sponge",
    "ButterKnife": "butter knife", "BasketBall": "basketball", "BaseballBat": "baseball bat",
    "AlarmClock": "alarm clock", "ToiletPaper": "toilet paper roll", "ToiletPaperHanger": "toilet paper hanger",
    "HandTowelHolder": "hand towel holder", "TowelHolder": "towel holder", "SoapBar": "bar of soap",
    "SoapBottle": "soap bottle", "SprayBottle": "spray bottle", "WineBottle": "wine bottle",
    "WateringCan": "watering can", "TissueBox": "tissue box", "TennisRacket": "tennis racket",
    "PepperShaker": "pepper shaker", "SaltShaker": "salt shaker", "CoffeeMachine": "coffee machine",
    "CoffeeTable": "coffee table", "DiningTable": "dining table", "SideTable": "side table",
    "StoveBurner": "stove burner", "ArmChair": "armchair", "HandTowel": "hand towel",
    "Bread": "loaf of bread", "AppleSliced": "apple slice", "BreadSliced": "slice of bread", "LettuceSliced": "piece of lettuce",
    "PotatoSliced": "potato slice", "TomatoSliced": "tomato slice",
}


def noun(cls: str) -> str:
    """``RemoteControl`` -> ``remote control``."""
    if cls in NATURAL:
        return NATURAL[cls]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", cls).lower()


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def a(cls: str) -> str:
    """``a mug`` / ``an apple``."""
    w = noun(cls)
    return f"{article(w)} {w}"


def plural(cls: str) -> str:
    return _plural_word(noun(cls))


def _plural_word(w: str) -> str:
    head, of, tail = w.partition(" of ")
    if of:  # "loaf of bread" -> "loaves of bread"
        return _plural_word(head) + of + tail
    if w.endswith("loaf"):
        return w[:-4] + "loaves"
    if w.endswith(("ch", "sh", "s", "x")):
        return w + "es"
    if w.endswith("y") and w[-2:-1] not in "aeiou":
        return w[:-1] + "ies"
    if w.endswith("knife"):
        return w[:-5] + "knives"
    return w + "s"


def sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")
