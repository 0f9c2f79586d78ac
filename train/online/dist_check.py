"""Check that a distributed launch takes the same online-GRPO step as one process.

    python -m train.online.dist_check MODEL_DIR BATCH.pkl OUT.json
    accelerate launch --config_file train/conf/accelerate/cpu_2proc.yaml -m train.online.dist_check MODEL_DIR BATCH.pkl OUT.json

``BATCH.pkl`` is a pickled list of ``TurnSample`` (with advantages). One update with every sample in
one minibatch; the main process writes the loss, the token count and a fingerprint of the updated
weights to ``OUT.json``. Run it both ways on the same inputs and compare (the tests do).
"""

from __future__ import annotations

import json
import pickle
import random
import sys

import torch

from agent.models.load import load_model
from train.online.distributed import Dist
from train.online.loss import LossConfig, SequenceScorer, train_on


def main(model_dir: str, batch: str, out: str) -> None:
    dist = Dist.from_env()
    torch.manual_seed(0)
    model, processor = load_model(model_dir, dtype="float32", device="cpu")
    with open(batch, "rb") as f:
        samples = pickle.load(f)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-2)  # plain SGD: the step is the gradient itself
    cfg = LossConfig(epochs=1, minibatch_size=len(samples), max_grad_norm=1e9)
    stats = train_on(model, optimizer, SequenceScorer(processor, 1.0), samples, cfg, random.Random(0), dist=dist)
    weights = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    if dist.main:
        result = {"processes": dist.world, "loss": stats["loss"], "tokens": stats["trained_tokens"],
                  "updates": stats["updates"], "weight_sum": weights.double().sum().item(),
                  "weight_abs_sum": weights.double().abs().sum().item()}
        with open(out, "w") as f:
            json.dump(result, f)
        print(json.dumps(result))
    dist.barrier()


if __name__ == "__main__":
    main(*sys.argv[1:4])
