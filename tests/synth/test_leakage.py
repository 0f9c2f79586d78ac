"""No synthesized sample may come from the evaluation split: no test scene, no task an evaluation
on the test scenes would play."""

import json

from datasets import Dataset

from envs.household.catalog import load
from envs.household.env import HouseholdEnv
from synth import chat
from synth.planning_data import COLUMNS as PLAN_COLUMNS, levels
from synth.sft_data import COLUMNS as SFT_COLUMNS, build_rows
from synth.trajectories import row
from synth.videoqa import episode_questions
from tests.synth.test_grounding import config as grounding_config
from synth.grounding import rows_from

TEST_SCENES = {f"FloorPlan{fp}" for fp in load().floorplans("test")}


def eval_task_ids(n: int = 300) -> set[str]:
    """The tasks an evaluation plays: the test scenes, seeds 0..n-1, every subset."""
    ids = set()
    for subset in ("base", "common_sense", "complex_instruction", "spatial", "visual_appearance", "long_horizon"):
        env = HouseholdEnv(subset=subset, scene_split="test", view="blank")
        ids |= {env.reset(seed=s)[1]["task"]["id"] for s in range(n // 6)}
    return ids


def test_no_synthesized_row_comes_from_the_evaluation_split(episodes):
    evaluation = eval_task_ids()
    rows = [row(ep, frames=False, prompt="compact") for ep in episodes]
    sft = Dataset.from_list(build_rows(episodes, "step", False), features=chat.features(**SFT_COLUMNS))
    plan = Dataset.from_list([r for ep in episodes for r in levels(ep, 29, True)],
                             features=chat.features(**PLAN_COLUMNS))
    tasks = [json.loads(r["task"]) for r in rows]
    assert all(t["split"] == "train" and t["scene"] not in TEST_SCENES for t in tasks)
    assert not {t["id"] for t in tasks} & evaluation
    assert not (set(sft["task_id"]) | set(plan["task_id"])) & evaluation
    videoqa = [q for ep in episodes for q in episode_questions(ep, 0)]
    grounding = list(rows_from(episodes, grounding_config()))
    for rows_of_set in (videoqa, grounding):
        assert rows_of_set and not {r["task_id"] for r in rows_of_set} & evaluation
        assert not {r["scene"] for r in rows_of_set} & TEST_SCENES
