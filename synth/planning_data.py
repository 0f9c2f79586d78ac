"""EgoReasoner's multi-level planning data for offline GRPO: from an expert trajectory of K actions,
for each level d = 1..min(K, max_level) one sample whose prompt is the turn at step K-d+1 (the
history of the first K-d steps and its frame) and whose target is the last d expert actions
(``synth.plans``). ``ask_plan=true`` (default) ends each prompt with the request for the whole
remaining plan; ``false`` keeps the turn's own prompt, which asks for one action.

    python -m synth.planning_data out=data/planning n=200 seed=0 max_level=29
    python -m synth.planning_data out=data/planning_test n=20 scene_split=test   # for eval.planning only
"""

from __future__ import annotations

import hydra
from datasets import Dataset, Sequence, Value
from omegaconf import DictConfig, OmegaConf

from synth import chat
from synth.episodes import SynthEpisode, checked_subsets, expert_episodes
from synth.io import save
from synth.plans import actions, deepest_level, level_prompt
from synth.thoughts import narrate

COLUMNS = {"expert_actions": Sequence(Value("string")), "level": Value("int32"), "num_actions": Value("int32"),
           "episode_id": Value("string"), "task_id": Value("string"), "subset": Value("string"),
           "task_type": Value("string")}


def levels(ep: SynthEpisode, max_level: int, compress: bool, ask_plan: bool = True) -> list[dict]:
    """One prompt per level d = 1..min(K, max_level), with the last d expert actions as its target."""
    done, task = actions(ep), ep.episode.task
    rows = []
    for d in range(1, min(deepest_level(ep), max_level) + 1):
        prompt = level_prompt(ep, d, compress, ask_plan)
        rows.append({"messages": chat.messages(prompt), "images": chat.pil(prompt.images),
                     "expert_actions": done[len(done) - d:], "level": d, "num_actions": len(done),
                     "episode_id": ep.id, "task_id": task["id"], "subset": task["subset"], "task_type": task["type"]})
    return rows


@hydra.main(config_path="conf", config_name="planning_data", version_base=None)
def main(cfg: DictConfig) -> None:
    # targets are the expert's own actions, so no detours here: every suffix is a correct plan
    episodes = list(expert_episodes(cfg.n, cfg.seed, checked_subsets(cfg.subsets), prompt=cfg.prompt,
                                    resolution=cfg.resolution, narrator=narrate, scene_split=cfg.scene_split))
    rows = [r for ep in episodes for r in levels(ep, cfg.max_level, cfg.compress, cfg.ask_plan)]
    ds = Dataset.from_list(rows, features=chat.features(**COLUMNS))
    by_level = {}
    for r in rows:
        by_level[r["level"]] = by_level.get(r["level"], 0) + 1
    stats = {"episodes": len(episodes), "rows": len(rows), "rows per level": dict(sorted(by_level.items()))}
    fp = save(ds, cfg.out, "planning_data", stats, OmegaConf.to_container(cfg))
    print(f"{len(ds)} planning samples from {len(episodes)} episodes in {cfg.out} (fingerprint {fp[:12]})")


if __name__ == "__main__":
    main()
