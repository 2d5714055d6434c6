#!/usr/bin/env python3
"""PyTorch's side of tools/cpu-step-vs-torch.ts: the same training step as our Trainer's, timed.

  torch-step.py CHECKPOINT BATCHES.json [--threads N] [--lr LR]

Loads one of our checkpoints with tools/parity/seq2seq.py (same model, same parameter values),
then for each batch of BATCHES.json (a list of src/train/batches.ts HostBatch objects, in the order
our Trainer takes them) runs one step on the CPU: zero_grad, loss (teacher forcing, cross-entropy
as the Trainer computes it), backward, clip_grad_norm_(max_norm 1), Adam. Prints JSON
{"torch": version, "threads": n, "ms": [per step], "loss": [per step]} on stdout.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "parity"))

import torch  # noqa: E402
from seq2seq import batch_from_json, load_checkpoint  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("batches")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=0.002)
    ap.add_argument("--max-norm", type=float, default=1.0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, _meta = load_checkpoint(a.checkpoint)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    with open(a.batches) as f:
        batches = [batch_from_json(b) for b in json.load(f)]
    ms, losses = [], []
    for batch in batches:
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model.loss(batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.max_norm)
        opt.step()
        model.after_optimizer_step()
        value = loss.item()
        ms.append((time.perf_counter() - t0) * 1000)
        losses.append(value)
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": ms, "loss": losses}, sys.stdout)


if __name__ == "__main__":
    main()
