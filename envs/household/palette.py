"""The colour of every object class: one documented palette for the renderer and the instructions.

Every class ALFRED knows gets a basic colour name and the RGB the renderer paints it with, typical
dimensions (from which shape and size words are derived) and, for small objects, a kind noun. The
renderer shades the class colour per material (``rgb``), so the same mug looks the same in every
scene. Colours are plausible real-world ones; small objects that share a floorplan are kept at least
``MIN_RGB_DISTANCE`` apart so that they never look alike.
"""

from __future__ import annotations

from dataclasses import dataclass

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

MATERIAL_SHADE = {  # the renderer's brightness factor per AI2-THOR salient material
    "Metal": 1.12, "Glass": 1.08, "Plastic": 1.0, "Ceramic": 1.04, "Wood": 0.9, "Fabric": 0.88,
    "Paper": 1.02, "Rubber": 0.85, "Food": 1.0, "Leather": 0.86, "Stone": 0.94, "Wax": 1.03,
    "Sponge": 0.97, "Soap": 1.02, "Organic": 0.92,
}


def rgb(cls: str, materials: tuple[str, ...] = ()) -> tuple[int, int, int]:
    """The colour to paint an instance: its class colour, shaded by its first material."""
    f = MATERIAL_SHADE.get(materials[0], 1.0) if materials else 1.0
    return tuple(int(min(255, round(c * f))) for c in PALETTE[cls].rgb)
