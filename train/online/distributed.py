"""Data parallelism for online GRPO under ``accelerate launch`` (DDP-style; any backend: gloo on CPUs,
NCCL on GPUs).

Each process plays its share of the iteration's groups; the groups are then shared, so every process
holds the same batch (needed for the group statistics and the log). In the update, each minibatch is
split across processes, every process backpropagates its share scaled by the minibatch's *global*
token count, and the gradients are summed across processes before the optimizer step: every process
takes the same step, the one a single process would take on the whole minibatch. Gradients are
reduced by hand rather than by DDP's hooks because processes may hold different numbers of
sequences in a minibatch, which would leave DDP's per-backward all-reduces out of step.
"""

from __future__ import annotations

import torch


class Dist:
    """One process of ``world`` (world 1: everything is a no-op)."""

    def __init__(self, state=None):
        self.state = state
        self.rank = state.process_index if state else 0
        self.world = state.num_processes if state else 1

    @classmethod
    def from_env(cls) -> "Dist":
        """The launch this process is part of: ``accelerate launch`` / torchrun set it up; else one process."""
        import os

        if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
            return cls()
        import torch
        from accelerate import PartialState

        # without a GPU, gloo: accelerate would otherwise leave a torchrun-launched process undistributed
        return cls(PartialState(cpu=not torch.cuda.is_available()))

    @property
    def main(self) -> bool:
        return self.rank == 0

    def mine(self, items: list) -> list:
        """This process's share: items rank, rank + world, ..."""
        return items[self.rank::self.world]

    def share(self, local: list) -> list:
        """Everyone's items, in the order ``mine`` dealt them out (a round-robin merge)."""
        if self.world == 1:
            return local
        from accelerate.utils import gather_object

        parts = gather_object([local])  # one list per process, in rank order
        merged, k = [], 0
        while any(k < len(p) for p in parts):
            merged += [p[k] for p in parts if k < len(p)]
            k += 1
        return merged

    def sum_grads(self, model) -> None:
        """Sum every parameter's gradient across processes (one flat all-reduce)."""
        if self.world == 1:
            return
        params = [p for p in model.parameters() if p.requires_grad]
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
        flat = torch.cat([g.reshape(-1) for g in grads])
        torch.distributed.all_reduce(flat, op=torch.distributed.ReduceOp.SUM)
        k = 0
        for p in params:
            n = p.numel()
            p.grad = flat[k:k + n].view_as(p).clone()
            k += n

    def sum(self, values: dict) -> dict:
        """Numbers summed across processes."""
        if self.world == 1:
            return values
        keys = sorted(values)
        t = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64)
        torch.distributed.all_reduce(t, op=torch.distributed.ReduceOp.SUM)
        return dict(zip(keys, t.tolist()))

    def barrier(self) -> None:
        if self.world > 1:
            self.state.wait_for_everyone()
