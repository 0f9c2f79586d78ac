"""cIoU / gIoU / box IoU@0.5 against values worked out by hand on 4x4 masks, and the results log
that makes the QA evaluations resumable."""

import json

import numpy as np
import pytest

from eval.metrics import accuracy_by, grounding_metrics, predicted_boxes, score_grounding
from eval.results_log import ResultsLog


def mask(*pixels):
    m = np.zeros((4, 4), bool)
    for y, x in pixels:
        m[y, x] = True
    return m


def test_ciou_giou_and_box_hits_match_the_hand_computed_values():
    scores = [
        # gold: the 2x2 top-left block (4 px); predicted the top half of it: I=2, U=4, IoU=0.5, box IoU 0.5 (a hit)
        score_grounding([[0, 0, 2, 1]], mask((0, 0), (0, 1), (1, 0), (1, 1)), [[0, 0, 2, 2]]),
        # gold: 3 px down the right edge; predicted a 2x2 box elsewhere: I=0, U=3+4=7, IoU=0, a miss
        score_grounding([[1, 1, 3, 3]], mask((0, 3), (1, 3), (2, 3)), [[3, 0, 4, 3]]),
        # no target and nothing predicted: IoU 1 (GRES), I=U=0, a hit
        score_grounding([], mask(), []),
        # no target but a 1-px box: IoU 0, U=1, a miss
        score_grounding([[0, 0, 1, 1]], mask(), []),
    ]
    assert [(s.intersection, s.union, s.iou) for s in scores] == [(2, 4, 0.5), (0, 7, 0.0), (0, 0, 1.0), (0, 1, 0.0)]
    m = grounding_metrics(scores)
    assert m["cIoU"] == pytest.approx(2 / 12)        # (2+0+0+0) / (4+7+0+1)
    assert m["gIoU"] == pytest.approx(1.5 / 4)       # (0.5+0+1+0) / 4
    assert m["box_iou@0.5"] == pytest.approx(2 / 4)  # hits in samples 1 and 3


def test_two_boxes_for_two_entities_union_into_one_predicted_mask():
    gold = mask((0, 0), (3, 3))
    s = score_grounding([[0, 0, 1, 1], [3, 3, 4, 4]], gold, [[0, 0, 1, 1], [3, 3, 4, 4]])
    assert (s.intersection, s.union, s.iou, s.box_hits, s.box_total) == (2, 2, 1.0, 2, 2)


def test_reply_boxes_are_read_like_earl_and_none_means_no_box():
    text = '<answer>["Mug_1", "Cup"]</answer><bbox>Mug_1: [1, 2, 30, 40]\nCup: [5.5, 1, 9, 9]\n[0, 0, 3, 3]</bbox>'
    assert predicted_boxes(text) == [[1, 2, 30, 40], [0, 0, 3, 3]]  # the float box is not a valid one
    assert predicted_boxes("<answer>x</answer><bbox>None</bbox>") == []
    assert predicted_boxes("no tags at all") == []


def test_accuracy_per_family():
    rows = [{"family": "a", "correct": 1.0}, {"family": "a", "correct": 0.0}, {"family": "b", "correct": 1.0}]
    acc = accuracy_by(rows, "family")
    assert acc["overall"] == pytest.approx(2 / 3) and acc["by_family"]["a"] == {"accuracy": 0.5, "n": 2}


def test_results_log_drops_a_torn_last_line_and_refuses_another_runs_folder(tmp_path):
    log = ResultsLog(tmp_path, {"data": "abc", "policy": {"name": "random"}})
    log.append([{"id": 0, "x": 1}, {"id": 1, "x": 2}])
    with open(log.path, "a") as f:
        f.write('{"id": 2, "x"')  # killed mid-write
    assert sorted(log.load()) == [0, 1]
    assert log.path.read_text().count("\n") == 2 and log.path.read_text().endswith("\n")
    log.append([{"id": 2, "x": 3}])
    assert [json.loads(line)["id"] for line in log.path.read_text().splitlines()] == [0, 1, 2]
    with pytest.raises(SystemExit, match="policy"):
        ResultsLog(tmp_path, {"data": "abc", "policy": {"name": "qwen"}})
