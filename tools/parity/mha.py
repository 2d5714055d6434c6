#!/usr/bin/env python3
"""PyTorch reference for the multi-head attention parity test (src/models/attention.parity.test.ts).

Usage: /usr/bin/python3 tools/parity/mha.py DIR

Reads DIR/input.json:
  embedDim, numHeads, bias          nn.MultiheadAttention's configuration (always batch_first)
  mode: "self" | "cross" | "separate"
                                    self: query = key = value (one tensor, gradient summed);
                                    cross: key = value (one memory tensor); separate: three tensors
  query, key, value: flat values    (key for cross, value for separate only)
  queryShape [B, Tq, E], keyShape [B, Tk, E]
  params: {name: flat values}       by nn.MultiheadAttention's parameter names
  keyPaddingMask (optional): flat [B, Tk], 1 = real token, 0 = padding (PyTorch's bool mask is its negation)
  causal (optional): query i sees key j iff j <= i + (Tk - Tq), passed as a bool attn_mask
  R: flat [B, Tq, E]                the loss is sum(out * R)
  kdim, vdim (optional)             nn.MultiheadAttention's kdim / vdim; then valueShape [B, Tk, vdim]
  torchKeyPaddingMask, torchAttnMask (optional): {data, shape, kind: "bool" | "float"}, passed to
                                    PyTorch as they are (bool True = masked; float added)
  averageAttnWeights (optional, default false)

Writes DIR/output.json: out, weights [B, H, Tq, Tk] (average_attn_weights=False), and
grads {query, key?, value?, params {name: flat}}, in float64 (the reference runs in double
precision, so only our float32 rounding shows).
"""
import json
import os
import sys

import torch


def flat(t):
    return t.detach().reshape(-1).tolist()


def main(folder):
    with open(os.path.join(folder, "input.json")) as f:
        cfg = json.load(f)
    dt = torch.float64
    E, H = cfg["embedDim"], cfg["numHeads"]
    kdim, vdim = cfg.get("kdim", E), cfg.get("vdim", E)
    mha = torch.nn.MultiheadAttention(E, H, bias=cfg["bias"], batch_first=True, kdim=kdim, vdim=vdim).to(dt)
    with torch.no_grad():
        for name, p in mha.named_parameters():
            p.copy_(torch.tensor(cfg["params"][name], dtype=dt).reshape(p.shape))
    B, Tq, _ = cfg["queryShape"]
    Tk = cfg["keyShape"][1]

    def leaf(name, shape):
        return torch.tensor(cfg[name], dtype=dt).reshape(shape).requires_grad_()

    query = leaf("query", cfg["queryShape"])
    mode = cfg["mode"]
    if mode == "self":
        key = value = query
    elif mode == "cross":
        key = value = leaf("key", cfg["keyShape"])
    else:
        key = leaf("key", cfg["keyShape"])
        value = leaf("value", cfg.get("valueShape", cfg["keyShape"]))

    kpm = None
    if "keyPaddingMask" in cfg:
        kpm = torch.tensor(cfg["keyPaddingMask"], dtype=dt).reshape(B, Tk) <= 0.5
    attn_mask = None
    if cfg.get("causal"):
        # True = not allowed: j > i + (Tk - Tq), the bottom-right aligned causal mask.
        attn_mask = torch.triu(torch.ones(Tq, Tk, dtype=torch.bool), diagonal=1 + Tk - Tq)

    def given_mask(spec):
        t = torch.tensor(spec["data"], dtype=dt).reshape(spec["shape"])
        return t != 0 if spec["kind"] == "bool" else t

    if "torchKeyPaddingMask" in cfg:
        kpm = given_mask(cfg["torchKeyPaddingMask"])
    if "torchAttnMask" in cfg:
        attn_mask = given_mask(cfg["torchAttnMask"])
    out, weights = mha(
        query, key, value,
        key_padding_mask=kpm, attn_mask=attn_mask, need_weights=True,
        average_attn_weights=cfg.get("averageAttnWeights", False),
    )
    loss = (out * torch.tensor(cfg["R"], dtype=dt).reshape(out.shape)).sum()
    loss.backward()
    grads = {"query": flat(query.grad), "params": {n: flat(p.grad) for n, p in mha.named_parameters()}}
    if mode != "self":
        grads["key"] = flat(key.grad)
    if mode == "separate":
        grads["value"] = flat(value.grad)
    result = {"out": flat(out), "weights": flat(weights), "grads": grads, "torch": torch.__version__}
    with open(os.path.join(folder, "output.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: mha.py DIR")
    main(sys.argv[1])
