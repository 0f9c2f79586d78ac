from envs.household.vocab import GLOBAL_ACTIONS, alias_actions, base_of_alias, class_of_name, name_of_class


def test_global_actions_match_eb_alfred_ids():
    assert len(GLOBAL_ACTIONS) == 162
    assert GLOBAL_ACTIONS[0] == "find a Cart"
    assert GLOBAL_ACTIONS[57] == "find a AlarmClock"
    assert GLOBAL_ACTIONS[79] == "find a Sink"
    assert GLOBAL_ACTIONS[80] == "pick up the KeyChain"
    assert GLOBAL_ACTIONS[98] == "pick up the AlarmClock"
    assert GLOBAL_ACTIONS[133] == "put down the object in hand"
    assert GLOBAL_ACTIONS[134] == "drop the object in hand"
    assert GLOBAL_ACTIONS[135:137] == ("open the Safe", "close the Safe")
    assert GLOBAL_ACTIONS[143] == "open the Microwave"
    assert GLOBAL_ACTIONS[149] == "turn on the Microwave"
    assert GLOBAL_ACTIONS[150] == "turn off the Microwave"
    assert GLOBAL_ACTIONS[160] == "slice the Apple"
    assert GLOBAL_ACTIONS[161] == "slice the Bread"
    assert len(set(GLOBAL_ACTIONS)) == 162


def test_alias_actions_are_sorted_as_strings_with_open_close_for_openables():
    extra = alias_actions(["Cabinet_2", "Cabinet_10", "Shelf_2"], ["Vase_2", "StoveKnob_2"])
    assert extra == [
        "find a Cabinet_10", "find a Cabinet_2", "find a Shelf_2",
        "open the Cabinet_10", "close the Cabinet_10", "open the Cabinet_2", "close the Cabinet_2",
        "find a Vase_2",  # a stove knob cannot be picked up in EB-ALFRED, so it gets no alias
    ]


def test_names_and_classes():
    assert class_of_name("Sink") == "SinkBasin" and name_of_class("BathtubBasin") == "Bathtub"
    assert base_of_alias("Cabinet_12") == "Cabinet" and base_of_alias("CounterTop") == "CounterTop"
