"""Offline GRPO with TRL's GRPOTrainer on a synthesized dataset, with the rewards chosen in config.

    python -m train.grpo_offline model=runs/sft/final data=runs/synth/planning kind=planning out=runs/grpo
    python -m train.grpo_offline ... kind=videoqa      # EgoVLM: format + accuracy + keyframes
    python -m train.grpo_offline ... kind=grounding    # EARL: format + answer + grounding IoU

``kind`` picks the default rewards (EgoReasoner's imitation reward for the multi-level planning
set); ``rewards=[{name: ..., weight: ..., kwargs: {...}}]`` replaces them with any of
``train.trl_rewards.REWARDS``. The prompt is the dataset's user turn(s) with its images. Checkpoints
and resume as in ``train.sft``; ``out/summary.json`` holds the mean reward per logging step.
"""

from __future__ import annotations

import json
from pathlib import Path

import hydra
from datasets import load_from_disk
from omegaconf import DictConfig, OmegaConf
from transformers.utils import logging as hf_logging

from agent.models.load import load_model, save_model
from train.common import device_args, last_checkpoint, lora_config, record_run
from train.trl_rewards import trl_reward

DEFAULT_REWARDS = {
    "planning": [{"name": "imitation_reward", "weight": 1.0}],
    "videoqa": [{"name": "egovlm_reward", "weight": 1.0}],
    "grounding": [{"name": "earl_format", "weight": 1.0}, {"name": "earl_answer_reward", "weight": 1.0},
                  {"name": "earl_grounding_reward", "weight": 1.0}],
}


def as_prompts(dataset):
    """``prompt`` = the conversation up to the model's turn (grounding rows end with the answer)."""
    def strip(row):
        messages = row["messages"]
        while messages and messages[-1]["role"] == "assistant":
            messages = messages[:-1]
        return {"prompt": messages}

    return dataset.map(strip, remove_columns=["messages"])


def reward_functions(cfg: DictConfig) -> tuple[list, list[float]]:
    specs = OmegaConf.to_container(cfg.rewards) if cfg.rewards else DEFAULT_REWARDS[cfg.kind]
    funcs, weights = [], []
    for spec in specs:
        kwargs = dict(spec.get("kwargs") or {})
        if spec["name"] == "earl_grounding_reward":
            kwargs.setdefault("mask_root", cfg.data)  # masks/*.png are relative to the dataset folder
        funcs.append(trl_reward(spec["name"], **kwargs))
        weights.append(float(spec.get("weight", 1.0)))
    return funcs, weights


def grpo_config(cfg: DictConfig, out: Path, weights: list[float]):
    from trl import GRPOConfig

    t = cfg.train
    return GRPOConfig(
        output_dir=str(out), num_generations=t.num_generations, max_completion_length=t.max_completion_length,
        temperature=t.temperature, beta=t.beta, epsilon=t.epsilon, epsilon_high=t.epsilon_high, loss_type=t.loss_type,
        scale_rewards=t.scale_rewards, num_iterations=t.num_iterations, reward_weights=weights,
        per_device_train_batch_size=t.batch_size, gradient_accumulation_steps=t.grad_accum, learning_rate=t.lr,
        num_train_epochs=t.epochs, max_steps=t.max_steps, lr_scheduler_type=t.scheduler, warmup_steps=t.warmup_steps,
        max_grad_norm=t.max_grad_norm, logging_steps=t.logging_steps, save_strategy="steps", save_steps=t.save_steps,
        save_total_limit=t.save_total_limit, seed=cfg.seed, data_seed=cfg.seed, report_to=[],
        gradient_checkpointing=t.gradient_checkpointing, disable_tqdm=not cfg.progress, **device_args(t.bf16))


@hydra.main(config_path="conf", config_name="grpo_offline", version_base=None)
def main(cfg: DictConfig) -> None:
    from trl import GRPOTrainer

    if cfg.kind not in DEFAULT_REWARDS:
        raise ValueError(f"kind must be one of {sorted(DEFAULT_REWARDS)}, got {cfg.kind!r}")
    hf_logging.disable_progress_bar()
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    dataset = as_prompts(load_from_disk(cfg.data))
    model, processor = load_model(cfg.model, dtype="auto")
    record_run(out, cfg)
    funcs, weights = reward_functions(cfg)
    trainer = GRPOTrainer(model=model, reward_funcs=funcs, args=grpo_config(cfg, out, weights),
                          train_dataset=dataset, processing_class=processor, peft_config=lora_config(cfg))
    resume = last_checkpoint(out)
    if resume:
        print(f"resuming from {resume}")
    trainer.train(resume_from_checkpoint=resume)
    save_model(trainer.model, processor, out / "final")
    curve = [{"step": h["step"], "reward": h["reward"]} for h in trainer.state.log_history if "reward" in h]
    summary = {"global_step": trainer.state.global_step, "reward_curve": curve}
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    # the trainer's whole log, for the report's training curves (python -m eval.report)
    (out / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1) + "\n")
    shown = ", ".join(f"{c['reward']:.3f}" for c in curve)
    print(f"trained {trainer.state.global_step} steps; mean reward per logging step: {shown}; model in {out / 'final'}")


if __name__ == "__main__":
    main()
