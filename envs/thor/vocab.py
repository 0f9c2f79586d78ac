"""How EB-ALFRED's action text maps onto THOR: the verbs and the THOR actions each skill sends, the
type name EB matches in an objectId, and the per-scene ``Type_k`` aliases (EB's
``generate_additional_action_space``). The 162 global action names are the household env's
(``envs/household/vocab.py``), so both envs address the same ids."""

from __future__ import annotations

# EB-ALFRED's verbs (their text prefixes) and the THOR actions each skill may send
VERBS = (("find", ("find a ", "find an ")), ("pick up", ("pick up the ",)), ("put down", ("put down ",)),
         ("drop", ("drop",)), ("open", ("open the ",)), ("close", ("close the ",)), ("turn on", ("turn on the ",)),
         ("turn off", ("turn off the ",)), ("slice", ("slice the ",)))
SKILL_ACTIONS = {
    "find": ("TeleportFull",),
    "pick up": ("PickupObject",),
    "put down": ("PutObject", "DropHandObject", "LookUp", "LookDown", "MoveAhead", "MoveBack", "MoveLeft",
                 "MoveRight", "RotateHand"),
    "drop": ("DropHandObject",),
    "open": ("OpenObject", "MoveBack", "MoveRight", "MoveLeft"),
    "close": ("CloseObject",),
    "turn on": ("ToggleObjectOn",),
    "turn off": ("ToggleObjectOff",),
    "slice": ("SliceObject",),
}


def skill_of(text: str) -> tuple[str, str] | None:
    """``"open the Fridge"`` -> ``("open", "Fridge")``; None for text no skill reads."""
    for verb, prefixes in VERBS:
        for p in prefixes:
            if text.startswith(p):
                return verb, text[len(p):]
    return None


def type_of(object_id: str) -> str:
    """``Sink|+00.50|...|SinkBasin`` -> ``Sink``: EB matches names against this prefix."""
    return object_id.split("|")[0]


def aliases(meta: dict) -> tuple[dict[str, str], list[str], list[str]]:
    """EB's ``generate_additional_action_space``: name -> objectId for multi-instance receptacles and
    pickables (first instance: bare name, then ``Type_2``...), and the receptacle / pickable aliases."""
    groups: dict[tuple[bool, str], list[str]] = {}
    for o in meta["objects"]:
        if o["receptacle"] or o["pickupable"]:
            groups.setdefault((bool(o["receptacle"]), o["objectType"]), []).append(o["objectId"])
    name_to_id, recs, picks = {}, [], []
    for (is_recep, cls), ids in groups.items():
        if len(ids) < 2:
            continue
        for k, oid in enumerate(ids):
            name = cls if k == 0 else f"{cls}_{k + 1}"
            name_to_id[name] = oid
            if k:
                (recs if is_recep else picks).append(name)
    return name_to_id, recs, picks
