"""Compare models on a run's fixed probe tasks, the way the run itself was scored.

    python -m train.probe run=runs/grpo_online models='[runs/sft/final, runs/grpo_online/checkpoints/iter-24]'

A run's own log cannot say whether its reward parts improved: each iteration plays new tasks, easier
or harder by chance (``train/online/probe.py``). Here every model plays the same probe seeds with the
same sampling randomness, so the rows differ only by the weights; success is also compared episode by
episode with the first model (mean change and its 95% interval).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from agent.loop import LoopConfig
from agent.models.generate import Generator, Sampling
from agent.models.load import load_model
from agent.prompts import make_format
from train.grpo_online import check_probe, make_envs, qa_options
from train.online.collect import RewardWeights, SamplingPolicy
from train.online.probe import FIELDS, probe_seeds, run_probe


def run_config(cfg: DictConfig) -> DictConfig:
    """The run's config (run.json) with this command's probe; refused where the probe seeds were trained on."""
    path = Path(cfg.run) / "run.json"
    if not path.exists():
        raise FileNotFoundError(f"run={cfg.run}: no run.json there (the folder of a train.grpo_online run)")
    run = OmegaConf.create(json.loads(path.read_text())["config"])
    run.probe = {**OmegaConf.to_container(cfg.probe, resolve=True), "every": 1}
    check_probe(run)
    return run


def paired_change(base: list[dict], other: list[dict]) -> tuple[float, float]:
    """Mean change in success over the same (seed, member) episodes, and its 95% half-width."""
    b = {(e["seed"], e["member"]): e["success"] for e in base}
    d = [e["success"] - b[(e["seed"], e["member"])] for e in other]
    mean = sum(d) / len(d)
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / max(len(d) - 1, 1))
    return mean, 1.96 * sd / math.sqrt(len(d))


def table(rows: list[dict], run: DictConfig) -> str:
    p = run.probe
    head = (f"Probe: {p.tasks} train-scene tasks (env seeds {p.start}..{p.start + p.tasks - 1}, never trained on) x "
            f"{p.group_size} episodes sampled at temperature {run.generation.temperature}; reward parts unweighted "
            "(invalid: a count per episode).\n\n")
    cols = FIELDS[2:]
    lines = ["| model | " + " | ".join(cols) + " | success change (paired) |", "|" + "---|" * (len(cols) + 2)]
    for r in rows:
        change = "" if r is rows[0] else "{:+.1f} ± {:.1f} pts".format(*(100 * x for x in r["success_change"]))
        lines.append(f"| {r['model']} | " + " | ".join(str(r[c]) for c in cols) + f" | {change} |")
    return head + "\n".join(lines) + "\n"


@hydra.main(config_path="conf", config_name="probe", version_base=None)
def main(cfg: DictConfig) -> None:
    run = run_config(cfg)
    if not cfg.models:
        raise ValueError("models: name at least one model folder, e.g. models='[runs/sft/final]'")
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    fmt = make_format(run.prompt.format, box=run.prompt.box)
    loop = LoopConfig(max_steps=run.env.max_steps, max_invalid=run.env.max_invalid, policy_name="qwen-online",
                      prompt_name=run.prompt.format)
    envs = make_envs(run, "train", min(run.probe.tasks * run.probe.group_size, 16))
    rows = []
    for path in cfg.models:
        model, processor = load_model(path, dtype=run.dtype, device=run.device)
        generator = Generator(model, processor, Sampling(run.generation.max_new_tokens, run.generation.temperature))
        policy = SamplingPolicy(generator, fmt, run.seed, run.generation.batch_size)
        row = run_probe(envs, policy, fmt, probe_seeds(run.probe), run.probe.group_size, loop,
                        RewardWeights(**run.rewards), qa_options(run), per_episode=True)
        rows.append({"model": str(path), **row})
        if len(rows) > 1:
            rows[-1]["success_change"] = paired_change(rows[0]["per_episode"], row["per_episode"])
        print(f"{path}: " + " ".join(f"{k}={row[k]}" for k in FIELDS[2:]), flush=True)
    (out / "probe.md").write_text(table(rows, run))
    (out / "probe.json").write_text(json.dumps({"run": str(cfg.run), "probe": OmegaConf.to_container(run.probe),
                                                "rows": rows}, indent=1) + "\n")
    print(table(rows, run) + f"\ntable: {out / 'probe.md'}")


if __name__ == "__main__":
    main()
