"""The world's records: objects keep every field through construction and copies."""

from envs.household.world import Obj


def test_obj_fields_go_where_named_and_copies_keep_them():
    fields = {name: k for k, name in enumerate(Obj.__slots__)}  # a distinct value per field
    o = Obj(**fields)
    copied = o.copy()
    assert copied is not o
    assert {name: getattr(o, name) for name in Obj.__slots__} == fields
    assert {name: getattr(copied, name) for name in Obj.__slots__} == fields


def test_a_field_not_given_is_none():
    o = Obj(idx=3, cls="Apple")
    assert (o.idx, o.cls) == (3, "Apple")
    assert all(getattr(o, name) is None for name in Obj.__slots__ if name not in ("idx", "cls"))
