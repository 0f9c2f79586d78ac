"""``metrics.csv`` across versions: a run resumed by a newer package logs new columns without any value
landing under another column's name."""

import csv

from train.online.logs import FIELDS, RunLog


def test_a_resumed_run_with_new_columns_keeps_every_value_under_its_name(tmp_path):
    old_fields = [f for f in FIELDS if not f.startswith("imitation_")] + ["retired"]
    with open(tmp_path / "metrics.csv", "w", newline="") as f:
        w = csv.DictWriter(f, old_fields, restval="")
        w.writeheader()
        w.writerow({"iteration": 1, "return": 0.5, "seconds": 61.0, "retired": 7})
    log = RunLog(tmp_path)
    log.append({**{k: "" for k in FIELDS}, "iteration": 2, "return": 0.75, "imitation_nll": 0.3, "seconds": 58.0})
    log.append({**{k: "" for k in FIELDS}, "iteration": 3, "return": 1.0, "imitation_nll": 0.2, "seconds": 57.0})
    rows = log.rows()
    assert [r["iteration"] for r in rows] == ["1", "2", "3"]
    assert [r["seconds"] for r in rows] == ["61.0", "58.0", "57.0"]
    assert [r["imitation_nll"] for r in rows] == ["", "0.3", "0.2"]
    assert rows[0]["retired"] == "7" and rows[2]["retired"] == ""  # an old column is kept, not misread
    assert all(None not in r for r in rows)  # no row has more values than the header has names
