"""Play and record episodes with any policy in any environment that speaks the household contract.

    python -m agent.rollout policy=expert episodes=20 out=runs/rollout
    python -m agent.rollout policy=random prompt=compact subset=spatial parallel=4

Each episode goes to <out>/episode_NNNN/ (see agent.recorder), the run's summary to
<out>/summary.json, the resolved config to <out>/.hydra/config.yaml. A rerun into the same folder
skips finished episodes, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import hydra
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from agent.backends import Runner, ray_options, vector_options
from agent.loop import LoopConfig
from agent.policies import is_privileged
from agent.prompts import make_format
from agent.prompts.examples import expert_examples
from agent.recorder import EpisodeWriter, write_atomic
from agent.records import Episode
from agent.summary import print_table, summarize


def env_spec(cfg: DictConfig, privileged: bool, subset: str | None = None) -> dict:
    kwargs = {"subset": subset or cfg.subset, "scene_split": cfg.scene_split, "resolution": cfg.resolution,
              "max_steps": cfg.max_steps, "max_invalid": cfg.max_invalid, "expert": privileged,
              "annotations": cfg.record.annotations or privileged, **OmegaConf.to_container(cfg.env.kwargs)}
    return {"id": cfg.env.id, "kwargs": kwargs}


def build_format(cfg: DictConfig, spec: dict):
    if cfg.prompt != "eb":
        return make_format(cfg.prompt, threshold=cfg.name_threshold)
    examples = ()
    if cfg.n_shots > 0:  # from the training scenes, with ground truth switched off: only the text is kept
        kwargs = {**spec["kwargs"], "view": "blank", "expert": True, "scene_split": "train", "annotations": False}
        examples = expert_examples(gym.make(spec["id"], **kwargs), cfg.n_shots, cfg.examples_seed)
    return make_format("eb", examples=examples, threshold=cfg.name_threshold)


def make_runner(cfg: DictConfig, policy_name: str, policy_options: dict, prompt_format) -> Runner:
    """The backend that plays the episodes (``backend=local|vector|ray``, ``parallel``, ``ray.*``, ``vector.*``)."""
    loop = LoopConfig(cfg.max_steps, cfg.max_invalid, {}, policy_name, cfg.prompt)
    return Runner(cfg.backend, policy_name, policy_options, prompt_format, loop, cfg.parallel,
                  ray_options(OmegaConf.to_container(cfg.ray, resolve=True)),
                  vector_options(OmegaConf.to_container(cfg.vector, resolve=True)))


def finished_episodes(out: Path, spec: dict, policy: str, jobs: list[tuple[int, int]]) -> dict[int, Episode]:
    """The episodes an earlier run of this command already finished in ``out``."""
    done = {}
    for index, seed in jobs:
        path = out / f"episode_{index:04d}" / "episode.json"
        if path.exists():
            ep = Episode.from_dict(json.loads(path.read_text()))
            if (ep.seed, ep.policy, ep.env) != (seed, policy, spec):
                raise SystemExit(f"{path} was recorded by a different run (seed {ep.seed}, policy {ep.policy!r}, "
                                 f"env {ep.env}); choose another out= folder")
            done[index] = ep
    return done


@hydra.main(config_path="conf", config_name="rollout", version_base=None)
def main(cfg: DictConfig) -> None:
    out = Path(cfg.out)
    policy_options = OmegaConf.to_container(cfg.policy)
    policy_name = policy_options.pop("name")
    spec = env_spec(cfg, is_privileged(policy_name))
    prompt_format = build_format(cfg, spec)

    jobs = [(i, cfg.seed + i) for i in range(cfg.episodes)]
    done = finished_episodes(out, spec, policy_name, jobs)
    todo = [j for j in jobs if j[0] not in done]
    rec = cfg.record

    def writer_for(index: int, seed: int) -> EpisodeWriter:
        return EpisodeWriter(out / f"episode_{index:04d}", rec.frames, rec.annotations, rec.video, rec.fps)

    bar = tqdm(total=len(jobs), initial=len(done), unit="episode", disable=not cfg.progress)
    if done:
        bar.write(f"resuming: {len(done)} of {len(jobs)} episodes already in {out}")

    def on_episode(ep: Episode) -> None:
        done[ep.index] = ep
        bar.update(1)
        bar.set_postfix(success=f"{sum(e.metrics['task_success'] for e in done.values()) / len(done):.2f}")

    runner = make_runner(cfg, policy_name, policy_options, prompt_format)
    runner.run(spec, todo, writer_for, on_episode)
    runner.close()
    bar.close()

    episodes = [done[i] for i, _ in jobs]
    summary = {"policy": policy_name, "prompt": cfg.prompt, "env": spec, "seeds": [s for _, s in jobs],
               **summarize(episodes)}
    write_atomic(out / "summary.json", json.dumps(summary, indent=1) + "\n")
    print_table(summary, f"{policy_name} on {cfg.env.id} ({cfg.scene_split} scenes, {len(episodes)} episodes)")
    print(f"episodes: {out}/episode_NNNN/ (transcript.txt, frames/, episode.mp4); summary: {out}/summary.json")


if __name__ == "__main__":
    main()
