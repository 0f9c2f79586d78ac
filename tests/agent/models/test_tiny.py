"""The tiny Qwen2-VL: built offline, deterministic, loaded and run through the same code path a
released checkpoint takes."""

import hashlib
import json

import numpy as np
import pytest
import torch

from agent.models.generate import Generator, Sampling
from agent.models.load import load_model, load_processor
from agent.models.tiny import build
from agent.policy import Prompt

FRAME = np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def prompt(text, images=(FRAME,)):
    content = [{"type": "image"} for _ in images] + [{"type": "text", "text": text}]
    return Prompt([{"role": "user", "content": content}], list(images), tuple(range(len(images))))


def test_same_seed_same_files_and_a_released_checkpoints_layout(tiny_model, tmp_path):
    again = build(tmp_path / "again")
    assert digest(again) == digest(tiny_model)
    names = {p.name for p in tiny_model.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja"} <= names
    assert not any(n.endswith(".bin") for n in names)
    assert json.loads((tiny_model / "processor_config.json").read_text())["processor_class"] == "Qwen2VLProcessor"
    assert sum(p.stat().st_size for p in tiny_model.iterdir()) < 5e6


def test_the_tokenizer_knows_the_simulator_and_qwens_special_tokens(tiny_model):
    processor = load_processor(tiny_model)
    tok = processor.tokenizer
    for special in ("<|im_start|>", "<|im_end|>", "<|image_pad|>", "<|vision_start|>"):
        assert tok.convert_tokens_to_ids(special) < 8
    # trained on the simulator's text: its phrases take few tokens
    assert len(tok("put down the object in hand")["input_ids"]) <= 6
    chat = processor.apply_chat_template([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}],
                                         tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    masked = [t for t, m in zip(chat["input_ids"][0], chat["assistant_masks"][0]) if m]
    assert tok.decode(masked) == "ok<|im_end|>"


def test_an_uncased_tokenizer_gives_the_task_and_the_action_one_token_and_keeps_the_specials():
    from agent.models.tiny import build_tokenizer

    lines = ["Task: Put a mug on the desk.", "<action>find a Mug</action>", "pick up the Mug", "find a Desk"] * 20
    cased, uncased = build_tokenizer(lines, 400), build_tokenizer(lines, 400, lowercase=True)
    word = lambda tok, text: tok(text)["input_ids"][-1]  # noqa: E731
    assert word(uncased, "find a Mug") == word(uncased, "Put a mug") != word(cased, "Put a mug")
    assert word(cased, "find a Mug") != word(cased, "Put a mug")
    ids = uncased("<|im_start|>find a Mug<|im_end|>")["input_ids"]
    assert uncased.decode(ids) == "<|im_start|>find a mug<|im_end|>"


def test_loads_as_a_processor_never_a_bare_tokenizer(tiny_model, tmp_path):
    model, processor = load_model(tiny_model)
    assert type(model).__name__ == "Qwen2VLForConditionalGeneration" and model.dtype == torch.float32
    assert processor.image_processor is not None and processor.tokenizer.padding_side == "left"
    with pytest.raises(FileNotFoundError, match="not a model folder"):
        load_model(tmp_path)


def test_generates_from_a_frame_and_an_instruction(tiny_model):
    model, processor = load_model(tiny_model)
    gen = Generator(model, processor, Sampling(max_new_tokens=12)).generate([prompt("Put the apple in the fridge.")])[0]
    assert gen.image_tokens == 64  # a 224x224 frame: 16x16 patches merged 2x2
    assert 0 < len(gen.completion_ids) <= 12 and len(gen.logprobs) == len(gen.completion_ids)
    assert all(lp <= 0 for lp in gen.logprobs) and isinstance(gen.text, str)


def test_a_prompt_whose_images_do_not_match_its_placeholders_is_refused(tiny_model):
    model, processor = load_model(tiny_model)
    bad = Prompt([{"role": "user", "content": [{"type": "text", "text": "no placeholder"}]}], [FRAME], (0,))
    with pytest.raises(ValueError, match="image"):
        Generator(model, processor).generate([bad])


def test_batched_generation_agrees_with_one_at_a_time(tiny_model):
    model, processor = load_model(tiny_model)
    gen = Generator(model, processor, Sampling(max_new_tokens=16))
    prompts = [prompt("Task: " + "find the mug and heat it. " * k) for k in range(1, 7)]
    prompts.append(prompt("Two frames.", images=(FRAME, FRAME[::-1].copy())))
    prompts.append(prompt("No frame at all.", images=()))
    together = gen.generate(prompts)
    for p, g in zip(prompts, together):
        (alone,) = gen.generate([p])
        assert g.completion_ids == alone.completion_ids and g.text == alone.text  # greedy texts
        assert g.prompt_ids == alone.prompt_ids
        np.testing.assert_allclose(g.logprobs[0], alone.logprobs[0], atol=1e-4)


def test_qwen2_5_vl_builds_loads_and_generates(tmp_path):
    folder = build(tmp_path / "q25", arch="qwen2_5_vl")
    model, processor = load_model(folder)
    assert type(model).__name__ == "Qwen2_5_VLForConditionalGeneration"
    assert type(processor).__name__ == "Qwen2_5_VLImageOnlyProcessor"
    (gen,) = Generator(model, processor, Sampling(max_new_tokens=4)).generate([prompt("Open the fridge.")])
    assert gen.image_tokens == 64 and gen.completion_ids


def test_a_lora_adapter_loads_on_top_and_changes_the_model(tiny_model, tmp_path):
    from peft import LoraConfig, get_peft_model

    base, processor = load_model(tiny_model)
    peft_model = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    peft_model.save_pretrained(tmp_path / "adapter")
    model, _ = load_model(tiny_model, adapter=tmp_path / "adapter")
    assert type(model).__name__.startswith("PeftModel")
    p = [prompt("Slice the bread.")]
    plain, _ = load_model(tiny_model)
    with_lora = Generator(model, processor, Sampling(max_new_tokens=4)).generate(p)[0]
    without = Generator(plain, processor, Sampling(max_new_tokens=4)).generate(p)[0]
    assert with_lora.logprobs[0] != pytest.approx(without.logprobs[0], abs=1e-6)
