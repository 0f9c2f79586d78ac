"""The shipped `accelerate launch` configs parse as accelerate reads them, and say what they claim."""

from pathlib import Path

import pytest
from accelerate.commands.config.config_args import load_config_from_file

CONFIGS = Path(__file__).resolve().parents[2] / "train" / "conf" / "accelerate"
EXPECTED = {"single_gpu": ("NO", 1), "multi_gpu": ("MULTI_GPU", 8), "zero2": ("DEEPSPEED", 8),
            "zero3": ("DEEPSPEED", 8), "fsdp": ("FSDP", 8), "cpu_2proc": ("MULTI_GPU", 2)}  # torchrun launcher; gloo on a CPU


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_accelerate_config_loads(name):
    cfg = load_config_from_file(str(CONFIGS / f"{name}.yaml"))
    kind, procs = EXPECTED[name]
    assert (cfg.distributed_type.value, cfg.num_processes) == (kind, procs)
    if kind == "DEEPSPEED":
        assert cfg.deepspeed_config["zero_stage"] == int(name[-1])
    if kind == "FSDP":
        assert cfg.fsdp_config["fsdp_auto_wrap_policy"] == "TRANSFORMER_BASED_WRAP"
    assert not cfg.use_cpu  # use_cpu would make accelerate start a single process


def test_every_shipped_config_is_checked():
    assert {p.stem for p in CONFIGS.glob("*.yaml")} == set(EXPECTED)
