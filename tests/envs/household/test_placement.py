"""Placement's arithmetic: seeds must keep placing things exactly where they always did."""

import numpy as np

from envs.household.placement import _clamp, _round4


def test_clamp_says_whether_the_cell_itself_was_kept():
    assert _clamp(0.5, 0.0, 1.0) == (0.5, True)
    assert _clamp(-0.5, 0.0, 1.0) == (0.0, False)
    assert _clamp(1.5, 0.0, 1.0) == (1.0, False)
    assert _clamp(0.0, 0.0, 1.0) == (0.0, True)  # a tie keeps the cell, as max(cell, bound) does


def test_a_cell_rounds_as_numpy_does_and_a_bound_as_python_does():
    for v in (0.28525, -1.34615, 2.08805, 0.1, 1.23456789):
        assert _round4(v, True) == float(np.round(np.float64(v), 4))
        assert _round4(v, False) == round(v, 4)
    assert _round4(0.28525, True) != _round4(0.28525, False)  # why the two rules are kept apart
