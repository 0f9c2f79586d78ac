"""Supervised fine-tuning of a Qwen2-VL policy on synthesized conversations, with TRL's SFTTrainer.

    python -m train.sft model=runs/tiny-small data=runs/synth/sft out=runs/sft
    python -m train.sft ... lora.enabled=true            # LoRA (peft) instead of full fine-tuning

Loss on the assistant's replies only (the chat template's generation markers), checkpoints every
``save_steps`` into ``out/checkpoint-N``; rerunning the same command resumes from the newest one.
The final model (or adapter) goes to ``out/final`` with its processor, loadable by
``policy=qwen policy.path=...``. ``out/run.json`` records the config, the model folder and the
dataset's fingerprint.
"""

from __future__ import annotations

import json
from pathlib import Path

import hydra
from datasets import load_from_disk
from omegaconf import DictConfig
from transformers.utils import logging as hf_logging

from agent.models.load import load_model, save_model
from train.common import device_args, last_checkpoint, lora_config, record_run


def sft_config(cfg: DictConfig, out: Path):
    from trl import SFTConfig

    t = cfg.train
    return SFTConfig(
        output_dir=str(out), assistant_only_loss=t.assistant_only_loss, max_length=t.max_length, num_train_epochs=t.epochs,
        max_steps=t.max_steps, per_device_train_batch_size=t.batch_size, gradient_accumulation_steps=t.grad_accum,
        learning_rate=t.lr, lr_scheduler_type=t.scheduler, warmup_steps=t.warmup_steps, weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm, logging_steps=t.logging_steps, save_strategy="steps", save_steps=t.save_steps,
        save_total_limit=t.save_total_limit, seed=cfg.seed, data_seed=cfg.seed, report_to=[],
        gradient_checkpointing=t.gradient_checkpointing, remove_unused_columns=True, disable_tqdm=not cfg.progress,
        **device_args(t.bf16))


@hydra.main(config_path="conf", config_name="sft", version_base=None)
def main(cfg: DictConfig) -> None:
    from trl import SFTTrainer

    hf_logging.disable_progress_bar()
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    dataset = load_from_disk(cfg.data)
    columns = [c for c in dataset.column_names if c not in ("messages", "images")]
    dataset = dataset.remove_columns(columns)
    model, processor = load_model(cfg.model, dtype="auto")
    record_run(out, cfg)

    trainer = SFTTrainer(model=model, args=sft_config(cfg, out), train_dataset=dataset, processing_class=processor,
                         peft_config=lora_config(cfg))
    resume = last_checkpoint(out)
    if resume:
        print(f"resuming from {resume}")
    result = trainer.train(resume_from_checkpoint=resume)
    save_model(trainer.model, processor, out / "final")
    history = [h for h in trainer.state.log_history if "loss" in h]
    summary = {"global_step": trainer.state.global_step, "train_loss": result.training_loss,
               "first_loss": history[0]["loss"] if history else None, "last_loss": history[-1]["loss"] if history else None}
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    # the trainer's whole log, for the report's training curves (python -m eval.report)
    (out / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1) + "\n")
    print(f"trained {summary['global_step']} steps, loss {summary['first_loss']} -> {summary['last_loss']}; "
          f"model in {out / 'final'}")


if __name__ == "__main__":
    main()
