"""The skill rules both prompt formats state: what each household skill does and when it is
valid. Written for our simulator's skills, which follow EB-ALFRED's high-level vocabulary."""

SKILL_RULES = (
    ("Find", "find a X: walk to X and look at it. Every other action needs the object or receptacle "
             "found first, and objects inside a closed receptacle cannot be found until it is opened."),
    ("Pick up", "pick up the X: take X into your hand. Your hand must be empty and X found."),
    ("Put down", "put down the object in hand: place what you hold into the receptacle you found last; "
                 "open it first if it is closed."),
    ("Drop", "drop the object in hand: let go of what you hold where you stand."),
    ("Open", "open the X: open a receptacle you found (fridge, microwave, cabinet, drawer, box...)."),
    ("Close", "close the X: close an open receptacle you found. Closing the fridge cools what is in it."),
    ("Turn on", "turn on the X: switch on a lamp, microwave or faucet you found. A closed microwave "
                "heats what is inside; a faucet cleans what lies in the sink below it."),
    ("Turn off", "turn off the X: switch off something that is on."),
    ("Slice", "slice the X: cut X while holding a knife; X must be found and not in your hand."),
)

ROLE = ("You are a robot operating in a home, seeing it through a head-mounted camera. Given a task, "
        "you plan and carry out actions one skill at a time.")


def rules_text() -> str:
    return "\n".join(f"* {name}: {rule}" for name, rule in SKILL_RULES)
