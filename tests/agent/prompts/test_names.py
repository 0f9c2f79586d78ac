from agent.prompts.names import ActionNames, normalize

NAMES = ("find a Apple", "find a Cabinet", "find a Cabinet_2", "find a Cabinet_3", "pick up the Apple",
         "turn on the FloorLamp", "turn off the FloorLamp", "find a CounterTop")


def test_normalize_ignores_case_articles_and_separators():
    assert normalize("Find the  counter_top.") == normalize("find a CounterTop") == "findcountertop"


def test_exact_and_forgiving_reads():
    names = ActionNames(NAMES)
    assert names.resolve("find a Apple") == (0, None)
    for text in ("FIND THE APPLE", "find apple", "  find an Apple. ", "find a apple"):
        aid, note = names.resolve(text)
        assert aid == 0 and note
    assert names.resolve("find a cabinet 2")[0] == 2
    assert names.resolve("find a Aple")[0] == 0  # a typo


def test_never_changes_meaning():
    names = ActionNames(NAMES)
    assert names.resolve("find a Cabinet_4") == (None, None)  # another instance number is not a typo
    assert names.resolve("turn a FloorLamp") == (None, None)  # on or off? too close to call
    assert names.resolve("open the Fridge") == (None, None)
    assert names.resolve("") == (None, None)
    assert names.resolve("x" * 10_000) == (None, None)
