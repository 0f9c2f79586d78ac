"""Generation speed of the local model path (the `qwen` policy's Generator).

    python bench/generation_speed.py [--new-tokens 64] [--model DIR]

Builds the tiny Qwen2-VL (unless --model names a folder) and prints tokens/s for one prompt and
for a batch of 8 (a compact-format prompt with a 224x224 frame, a fixed number of new tokens),
the batch-8/batch-1 ratio (the figure that travels between machines) and peak RSS. On a CUDA GPU
it also times a Qwen2-VL-2B-sized model with random weights in bf16 (nothing downloaded);
elsewhere it says why that part is skipped.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from agent.models.generate import Generator
from agent.models.load import load_model
from agent.policy import Prompt
from agent.prompts.compact import SYSTEM

FRAME = np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)
QWEN2_VL_2B = {  # Qwen2-VL-2B-Instruct's published config.json, text and vision
    "text": dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
                 num_key_value_heads=2, vocab_size=151936, max_position_embeddings=32768,
                 rope_parameters={"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]}),
    "vision": dict(depth=32, embed_dim=1280, hidden_size=1536, num_heads=16, mlp_ratio=4, patch_size=14,
                   spatial_merge_size=2, temporal_patch_size=2),
}


def prompt(k: int) -> Prompt:
    text = f"Task: Put a washed apple {k} in the fridge.\nPrevious actions: find a Apple\nLast feedback: none"
    return Prompt([{"role": "system", "content": [{"type": "text", "text": SYSTEM}]},
                   {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": text}]}], [FRAME], (0,))


def tokens_per_second(model, generator: Generator, batch: int, new: int, repeats: int = 3) -> float:
    inputs = generator.encode([prompt(k) for k in range(batch)])
    times = []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        with torch.no_grad():
            model.generate(**inputs, max_new_tokens=new, min_new_tokens=new, do_sample=False,
                           pad_token_id=generator.pad)
        if model.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return batch * new / min(times[1:])  # the first call warms up and is not counted


def report(label: str, model, processor, new: int) -> None:
    gen = Generator(model, processor)
    one, eight = tokens_per_second(model, gen, 1, new), tokens_per_second(model, gen, 8, new)
    n = sum(p.numel() for p in model.parameters())
    print(f"{label} ({n / 1e6:.1f}M params, {model.device.type}, {model.dtype}): batch 1 {one:,.0f} tok/s, "
          f"batch 8 {eight:,.0f} tok/s, ratio {eight / one:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--model", type=Path, default=None)
    args = ap.parse_args()
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        if args.model is None:
            from agent.models.tiny import build

            args.model = build(Path(tmp) / "tiny")
        model, processor = load_model(args.model)
        report(f"{args.model.name}", model, processor, args.new_tokens)
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        if not torch.cuda.is_available():
            print("Qwen2-VL-2B-sized model: skipped, no CUDA device here (it needs ~5 GB in bf16; run this on a GPU)")
            return
        from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration

        ids = {k: getattr(model.config, k) for k in ("image_token_id", "video_token_id", "vision_start_token_id",
                                                     "vision_end_token_id")}
        config = Qwen2VLConfig(text_config=QWEN2_VL_2B["text"], vision_config=QWEN2_VL_2B["vision"], **ids)
        big = Qwen2VLForConditionalGeneration(config).to("cuda", torch.bfloat16).eval()
        report("Qwen2-VL-2B-sized, random weights", big, processor, args.new_tokens)
        print(f"peak GPU memory: {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")


if __name__ == "__main__":
    main()
