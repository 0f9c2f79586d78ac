"""Speed of synthesis.

    python bench/synth_speed.py [--episodes 30] [--seed 0]

Prints expert episodes/s on the training scenes without frames (``view=blank``: the logic and the
planner, the baseline in the same run) and with 224x224 first-person frames, masks and visible
objects (what the builders read), then rows/s for each dataset builder on those same episodes
(building the rows and the Arrow table; episode generation not included) and rows/s end to end.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from datasets import Dataset
from omegaconf import OmegaConf

from synth import chat
from synth.episodes import expert_episodes
from synth.grounding import FEATURES as GROUNDING_FEATURES, rows_from
from synth.planning_data import COLUMNS as PLAN_COLUMNS, levels
from synth.sft_data import COLUMNS as SFT_COLUMNS, build_rows
from synth.thoughts import narrate
from synth.trajectories import COLUMNS as TRAJ_COLUMNS, row
from synth.videoqa import FEATURES as VIDEOQA_FEATURES, episode_questions, png

CONF = Path(__file__).resolve().parents[1] / "synth" / "conf"


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def trajectories(eps):
    features = chat.features(**TRAJ_COLUMNS)
    del features["messages"]
    return Dataset.from_list([row(ep, True, "compact") for ep in eps], features=features)


def sft(eps):
    return Dataset.from_list(build_rows(eps, "step", False), features=chat.features(**SFT_COLUMNS))


def planning(eps):
    return Dataset.from_list([r for ep in eps for r in levels(ep, 29, True)], features=chat.features(**PLAN_COLUMNS))


def videoqa(eps, seed):
    rows = []
    for ep in eps:
        encoded = {}
        for r in episode_questions(ep, seed):
            r["images"] = [encoded.setdefault(k, png(ep.frames[k])) for k in r["frame_indices"]]
            rows.append(r)
    return Dataset.from_list(rows, features=VIDEOQA_FEATURES)


def grounding(eps, out: Path):
    cfg = OmegaConf.load(CONF / "grounding.yaml")
    del cfg["hydra"]
    (out / "masks").mkdir(parents=True, exist_ok=True)
    rows = [{**r, "image": {"bytes": png(r["image"])["bytes"], "path": None}} for r in rows_from(eps, cfg, out)]
    return Dataset.from_list(rows, features=GROUNDING_FEATURES)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    n, seed = args.episodes, args.seed
    list(expert_episodes(6, seed + 10**6))  # warm the caches (catalog, room geometry)

    blank, t_blank = timed(lambda: list(expert_episodes(n, seed, view="blank", narrator=narrate)))
    eps, t_ego = timed(lambda: list(expert_episodes(n, seed, narrator=narrate)))
    print(f"expert episodes/s, training scenes ({len(eps)} successful of {n}):")
    print(f"  without frames (view=blank, baseline)  {len(blank) / t_blank:8.1f}")
    print(f"  with 224x224 frames + masks + objects  {len(eps) / t_ego:8.1f}   ({t_blank / t_ego:.2f} x baseline)")
    print(f"{'builder':<14}{'rows':>7}{'rows/s (build)':>16}{'rows/s (with episodes)':>24}")
    with tempfile.TemporaryDirectory() as tmp:
        builders = [("trajectories", lambda: trajectories(eps)), ("sft_data", lambda: sft(eps)),
                    ("planning_data", lambda: planning(eps)), ("videoqa", lambda: videoqa(eps, seed)),
                    ("grounding", lambda: grounding(eps, Path(tmp)))]
        for name, fn in builders:
            ds, t = timed(fn)
            print(f"{name:<14}{len(ds):>7}{len(ds) / t:>16.1f}{len(ds) / (t + t_ego):>24.1f}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
