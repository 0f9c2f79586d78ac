#!/usr/bin/env bash
# The whole loop on a 2-core CPU, from nothing to the stage table: a small Qwen2-VL built here, expert
# data from the training scenes, SFT, offline GRPO on multi-level planning data, online GRPO in the
# simulator (grounding and video-QA rewards on), and zero-shot -> SFT -> GRPO on 200 held-out tasks.
#   bash scripts/cpu_recipe.sh [OUT]        (default runs/recipe; rerun to resume: every step resumes)
# Each step's figures are in the README ("Training"). Assumes `bash scripts/setup.sh` has run.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/recipe}
PY=.venv/bin/python
# Two training processes of one thread each (gloo): on 2 cores, twice one process's speed, where
# one process with two threads gains little on matrices this small.
DDP=(.venv/bin/accelerate launch --config_file train/conf/accelerate/cpu_2proc.yaml)
export OMP_NUM_THREADS=1
mkdir -p "$OUT"

# 1. a 4M-parameter Qwen2-VL with random weights and an uncased tokenizer
[ -f "$OUT/small/config.json" ] || $PY -m agent.models.tiny "$OUT/small" size=small lowercase=true

# 2. expert data: 3,000 base-subset episodes on the training floorplans (env seeds 1000-3999, so no
#    seed is shared with the evaluation's 0-99), the target's box after each action, two multi-level
#    planning prompts answered with the remaining plan and one question about its own video per
#    episode; offline GRPO's planning prompts (seeds 4000-4149) and a held-out planning set (test floorplans)
[ -f "$OUT/synth/sft/card.json" ] || $PY -m synth.sft_data out="$OUT/synth/sft" n=3000 seed=1000 subsets=[base] \
  prompt=bare thoughts=brief mistake_prob=0 box=true planning.per_episode=2 videoqa.per_episode=1
[ -f "$OUT/synth/planning/card.json" ] || $PY -m synth.planning_data out="$OUT/synth/planning" n=150 seed=4000 \
  subsets=[base] prompt=bare compress=false
[ -f "$OUT/synth/planning_test/card.json" ] || $PY -m synth.planning_data out="$OUT/synth/planning_test" n=30 \
  seed=0 scene_split=test subsets=[base] prompt=bare compress=false

# 3. SFT (loss on every token: each prompt's history is the expert's earlier actions)
"${DDP[@]}" -m train.sft model="$OUT/small" data="$OUT/synth/sft" out="$OUT/sft" train.max_steps=1800 \
  train.batch_size=4 train.warmup_steps=50 train.save_steps=300 train.assistant_only_loss=false progress=false

# 4. offline GRPO (EgoReasoner's imitation reward) on the multi-level planning set, and both models
#    greedy on the held-out planning set
$PY -m train.grpo_offline model="$OUT/sft/final" data="$OUT/synth/planning" kind=planning out="$OUT/grpo_offline" \
  train.max_steps=60 train.num_generations=8 train.batch_size=32 train.max_completion_length=128 train.lr=2e-5 \
  progress=false
for m in sft grpo_offline; do
  $PY -m eval.planning data="$OUT/synth/planning_test" policy=qwen policy.path="$OUT/$m/final" \
    policy.max_new_tokens=128 policy.batch_size=16 out="$OUT/eval_planning/$m" progress=false
done

# 5. online GRPO in the simulator, from the SFT model
"${DDP[@]}" -m train.grpo_online init="$OUT/sft/final" out="$OUT/grpo_online" iterations=24 save_every=6 \
  keep_checkpoints=4 prompt.format=bare env.resolution=224 env.max_steps=20 env.max_invalid=5 tasks.pool_start=10000 \
  tasks.pool_size=1024 tasks.per_iteration=4 tasks.group_size=8 train.lr=2e-5 train.epochs=1 \
  generation.temperature=0.8 train.minibatch_size=16 eval.every=0

# 6. the stage table on 200 held-out test-scene tasks (env seeds 0-199)
$PY -m eval.stages out="$OUT/stages" prompt=bare episodes_per_subset=200 parallel=10 policy.batch_size=10 policy.max_new_tokens=64 progress=false stages="[{name: zero-shot, path: $OUT/small}, \
{name: sft, path: $OUT/sft/final}, {name: grpo, path: $OUT/grpo_online/checkpoints/iter-24}]"
