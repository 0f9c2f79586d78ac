"""Common-sense descriptions: each class named indirectly, by what it is for or what it is like.

Each entry is ``"head noun | what follows it"``: ``"device | for changing TV channels"``. The split
lets a writer put the head noun in the plural ("two devices for changing TV channels"), so the part
after ``|`` of a small object never holds a verb that would have to agree with it. Every description
denotes exactly one class, so an instruction built from it is as unambiguous as the class name.
"""

from __future__ import annotations

# ``plural`` is written for class names, but a lower-case word passes through ``noun`` unchanged.
from envs.household.language import article
from envs.household.language import plural as plural_of
from envs.household.vocab import SLICED_SUFFIX, base_class

DESCRIPTIONS: dict[str, str] = {
    # things the agent carries
    "AlarmClock": "bedside clock | with a wake-up alarm",
    "Apple": "crisp fruit | said to keep the doctor away",
    "BaseballBat": "wooden club | swung at a pitched ball",
    "BasketBall": "bouncy ball | shot through a hoop",
    "Book": "bound volume | of printed pages to read",
    "Bowl": "deep dish | for soup or cereal",
    "Box": "cardboard container | for packing and storing things",
    "Bread": "baked loaf | used for sandwiches and toast",
    "ButterKnife": "blunt table knife | for spreading butter",
    "CD": "shiny disc | for storing music or data",
    "Candle": "wax stick | with a wick to light",
    "CellPhone": "pocket device | for calls and text messages",
    "Cloth": "rag | for wiping and dusting surfaces",
    "CreditCard": "plastic card | for paying at a store",
    "Cup": "drinking vessel | for water or juice",
    "DishSponge": "soft scrubber | for washing dishes",
    "Egg": "breakfast food | with a shell and a yolk",
    "Fork": "pronged utensil | for eating pasta or salad",
    "Glassbottle": "plain glass vessel | with a narrow neck, for drinks",
    "HandTowel": "small towel | for drying your hands",
    "Kettle": "spouted pot | for boiling water for tea",
    "KeyChain": "key ring | for carrying house keys",
    "Knife": "sharp blade | for chopping food",
    "Ladle": "long-handled scoop | for serving soup",
    "Laptop": "portable computer | with a keyboard and a screen",
    "Lettuce": "leafy green | used in salads",
    "Mug": "sturdy handled vessel | for hot coffee or tea",
    "Newspaper": "printed daily | with the morning headlines",
    "Pan": "shallow skillet | for frying eggs",
    "Pen": "ink writing tool | for signing documents",
    "Pencil": "wooden writing tool | with graphite and an eraser",
    "PepperShaker": "shaker | of the black seasoning that makes people sneeze",
    "Pillow": "soft cushion | to rest your head on at night",
    "Plate": "flat dish | for serving a meal",
    "Plunger": "rubber-cupped tool | for unclogging a toilet",
    "Pot": "deep cooking vessel | for boiling pasta",
    "Potato": "starchy tuber | used for fries and mash",
    "RemoteControl": "handheld device | for changing TV channels",
    "SaltShaker": "shaker | of the white seasoning served with pepper",
    "SoapBar": "lathering bar | for washing up at the sink",
    "SoapBottle": "pump dispenser | of liquid for washing hands",
    "Spatula": "flat turner | for flipping pancakes",
    "Spoon": "small utensil | for eating cereal",
    "SprayBottle": "trigger bottle | for misting plants or cleaner",
    "Statue": "decorative figurine | for display on a shelf",
    "TennisRacket": "stringed paddle | for a game on a court with a net",
    "TissueBox": "box | of soft sheets for a runny nose",
    "ToiletPaper": "soft paper roll | kept next to the toilet",
    "Tomato": "juicy red fruit | used in ketchup and salsa",
    "Vase": "decorative vessel | for cut flowers",
    "Watch": "timepiece | worn on the wrist",
    "WateringCan": "spouted can | for giving plants a drink",
    "WineBottle": "dark glass bottle | for storing wine",
    # furniture, fixtures and appliances: always definite and singular
    "ArmChair": "padded seat | with armrests for one person",
    "BathtubBasin": "large tub | you soak in for a bath",
    "Bed": "piece of furniture | you sleep on at night",
    "Cabinet": "storage cupboard | with a hinged door",
    "Cart": "wheeled trolley | for moving things around",
    "CoffeeMachine": "appliance | that brews coffee",
    "CoffeeTable": "low table | in front of the sofa",
    "CounterTop": "built-in work surface | where food gets prepared",
    "Desk": "table | where you work or study",
    "DiningTable": "table | where the family eats meals",
    "Drawer": "sliding compartment | that pulls out of a cabinet",
    "Dresser": "chest of drawers | for storing clothes",
    "Fridge": "appliance | that keeps food cold",
    "GarbageCan": "bin | where trash is thrown away",
    "HandTowelHolder": "ring on the wall | for hanging a hand towel",
    "LaundryHamper": "basket | for dirty clothes",
    "Microwave": "appliance | that heats food in minutes",
    "Ottoman": "padded footrest | to put your feet up on",
    "Safe": "small vault | with a combination lock",
    "Shelf": "open ledge | for storing and displaying things",
    "SideTable": "small table | beside a bed or a sofa",
    "SinkBasin": "basin | under the faucet for washing up",
    "Sofa": "long couch | for several people to sit on",
    "StoveBurner": "stovetop ring | where pots are heated",
    "TVStand": "low stand | the television sits on",
    "Toaster": "appliance | that browns slices of bread",
    "Toilet": "bathroom fixture | you flush",
    "ToiletPaperHanger": "wall holder | for the toilet roll",
    "TowelHolder": "wall bar | for hanging bath towels",
    "DeskLamp": "small reading light | on a desk or nightstand",
    "FloorLamp": "tall standing light | on the floor",
}
SLICE_WORD = {"Lettuce": "piece"}  # "a piece of lettuce", otherwise "a slice of"


def known(cls: str) -> bool:
    return base_class(cls) in DESCRIPTIONS


def text(cls: str) -> str:
    """The description without a determiner: ``device for changing TV channels``."""
    return " ".join(DESCRIPTIONS[cls].replace("|", " ").split())


def slice_word(cls: str) -> str:
    return SLICE_WORD.get(base_class(cls), "slice")


def indefinite(cls: str) -> str:
    """``a device for changing TV channels``; a slice is ``a slice of a crisp fruit ...``."""
    whole = base_class(cls)
    phrase = f"{article(text(whole))} {text(whole)}"
    return f"a {slice_word(cls)} of {phrase}" if cls.endswith(SLICED_SUFFIX) else phrase


def definite(cls: str) -> str:
    whole = base_class(cls)
    if cls.endswith(SLICED_SUFFIX):
        return f"the {slice_word(cls)} of {indefinite(whole)}"
    return f"the {text(whole)}"


def plural(cls: str) -> str:
    """``devices for changing TV channels``; slices are ``slices of a crisp fruit ...``."""
    whole = base_class(cls)
    if cls.endswith(SLICED_SUFFIX):
        return f"{plural_of(slice_word(cls))} of {indefinite(whole)}"
    head, _, rest = DESCRIPTIONS[whole].partition("|")
    words = head.split()
    return " ".join(words[:-1] + [plural_of(words[-1])] + rest.split())
