"""EmbodiedBench-style success rates: every subset, a fixed list of held-out tasks, any policy.

    python -m eval.embodied policy=expert episodes_per_subset=50 out=runs/eval/expert
    python -m eval.embodied policy=qwen policy.path=runs/sft/final prompt=compact subsets=[base,spatial]

Episode i of every subset plays env seed ``seed + i`` on the ``scene_split`` floorplans (test by
default: scenes no synthesis or training run draws from), so two policies meet the same tasks.
Output, per subset ``S``:

    <out>/S/episode_NNNN/               the recorded episode (agent.recorder)
    <out>/S/results/episode_<i>_final_res.json, summary.json   EmbodiedBench's own files
    <out>/summary.json                  overall, per subset and per task type, with 95% intervals
    <out>/.hydra/config.yaml            the resolved config

Rerunning the same command into the same folder skips the episodes already finished there (an
episode counts once its episode.json exists; it is written last and atomically), so a killed
evaluation resumes without losing or repeating one.
"""

from __future__ import annotations

import json
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from agent.policies import is_privileged
from agent.recorder import EpisodeWriter, write_atomic
from agent.records import Episode
from agent.rollout import build_format, env_spec, finished_episodes, make_runner
from agent.summary import print_table, summarize as table_summary
from envs.task import SUBSETS
from eval import eb_format


def subsets_of(cfg: DictConfig) -> list[str]:
    """The configured subsets, else the env's own list (``env.subsets``), else EB-ALFRED's six."""
    subsets = cfg.subsets if cfg.subsets is not None else cfg.env.get("subsets") or SUBSETS
    subsets = list(subsets)
    if len(set(subsets)) != len(subsets):
        raise SystemExit(f"subsets lists one twice: {subsets}")
    return subsets


def run_subset(cfg: DictConfig, subset: str, runner, policy_name: str, spec: dict, bar: tqdm) -> list[Episode]:
    """Play (or pick up) one subset's episodes; return them in index order."""
    folder = Path(cfg.out) / subset
    jobs = [(i, cfg.seed + i) for i in range(cfg.episodes_per_subset)]
    done = finished_episodes(folder, spec, policy_name, jobs)
    bar.update(len(done))
    rec = cfg.record

    def writer_for(index: int, seed: int) -> EpisodeWriter:
        return EpisodeWriter(folder / f"episode_{index:04d}", rec.frames, rec.annotations, rec.video, rec.fps)

    def on_episode(ep: Episode) -> None:
        done[ep.index] = ep
        bar.update(1)

    runner.run(spec, [j for j in jobs if j[0] not in done], writer_for, on_episode)
    episodes = [done[i] for i, _ in jobs]
    eb_format.write_subset_results(folder, episodes)
    return episodes


@hydra.main(config_path="conf", config_name="embodied", version_base=None)
def main(cfg: DictConfig) -> None:
    subsets = subsets_of(cfg)
    policy_options = OmegaConf.to_container(cfg.policy, resolve=True)
    policy_name = policy_options.pop("name")
    privileged = is_privileged(policy_name)
    specs = {s: env_spec(cfg, privileged, subset=s) for s in subsets}
    # one prompt format and one policy for every subset (the in-context examples come from the
    # training scenes and do not depend on the subset)
    prompt_format = build_format(cfg, specs[subsets[0]])
    runner = make_runner(cfg, policy_name, policy_options, prompt_format)

    bar = tqdm(total=len(subsets) * cfg.episodes_per_subset, unit="episode", disable=not cfg.progress)
    by_subset = {s: run_subset(cfg, s, runner, policy_name, specs[s], bar) for s in subsets}
    bar.close()
    runner.close()

    config = {"policy": policy_name, "policy_options": policy_options, "prompt": cfg.prompt, "env": cfg.env.id,
              "env_kwargs": {k: v for k, v in specs[subsets[0]]["kwargs"].items() if k != "subset"},
              "scene_split": cfg.scene_split, "subsets": subsets, "episodes_per_subset": cfg.episodes_per_subset,
              "seeds": [cfg.seed, cfg.seed + cfg.episodes_per_subset - 1]}
    summary = eb_format.summarize(by_subset, config)
    out = Path(cfg.out)
    write_atomic(out / "summary.json", json.dumps(summary, indent=1) + "\n")
    episodes = [e for eps in by_subset.values() for e in eps]
    print_table(table_summary(episodes), f"{policy_name} on {cfg.env.id}: {cfg.scene_split} scenes, "
                                         f"{cfg.episodes_per_subset} episodes per subset")
    print(f"summary: {out}/summary.json; episodes: {out}/<subset>/episode_NNNN/; "
          f"report: python -m eval.report {out}")


if __name__ == "__main__":
    main()
