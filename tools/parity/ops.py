#!/usr/bin/env python3
"""PyTorch reference for the engine's property suite (src/engine/torch-property.test.ts).

Usage: /usr/bin/python3 tools/parity/ops.py DIR

DIR/input.json: {"cases": [{"id", "op", "inputs": [{"shape", "data", "dtype": "f32"|"i32",
"grad": bool, "transpose": bool}], "opts": {...}, "R": flat}]}. Non-finite numbers arrive as
NaN / Infinity / -Infinity tokens (Python's json reads them), -0 as -0.0.
"transpose": the input is given as its transpose's data and turned back with .transpose(-1, -2)
(a strided view, as the TypeScript side makes it).

For every case, in float64: out = op(*inputs); loss = sum(out * R) (R of out's shape); backward.
DIR/output.json: {"torch": version, "results": {id: {"out": flat, "shape": [...], "grads": [flat or
null per input]} or {"error": message}}}; non-finite values as the strings "NaN", "Infinity",
"-Infinity" (JSON has no tokens for them), -0 as -0.0.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

DT = torch.float64


def enc(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def flat(t):
    return [enc(float(v)) for v in t.detach().reshape(-1).tolist()]


def leaf(spec):
    shape = spec["shape"]
    if spec.get("transpose"):
        shape = shape[:-2] + [shape[-1], shape[-2]]
    if spec.get("dtype") == "i32":
        return torch.tensor(spec["data"], dtype=torch.int64).reshape(shape)
    t = torch.tensor(spec["data"], dtype=DT).reshape(shape)
    if spec.get("grad"):
        t.requires_grad_()
    return t


def view(spec, t):
    return t.transpose(-1, -2) if spec.get("transpose") else t


UNARY = {
    "neg": torch.neg, "relu": torch.relu, "gelu": F.gelu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs, "square": torch.square,
}
BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}


def run(op, xs, o):
    if op in UNARY:
        return UNARY[op](xs[0])
    if op in BINARY:
        return BINARY[op](xs[0], xs[1])
    if op == "scale":
        return xs[0] * o["c"]
    if op == "addScalar":
        return xs[0] + o["c"]
    if op == "clamp":
        return torch.clamp(xs[0], o["lo"], o["hi"])
    if op in ("sum", "mean"):
        f = torch.sum if op == "sum" else torch.mean
        return f(xs[0], dim=o["axes"], keepdim=o["keepDims"]) if o.get("axes") is not None else f(xs[0])
    if op == "matmul":
        return torch.matmul(xs[0], xs[1])
    if op == "linear":
        return F.linear(xs[0], xs[1], xs[2] if len(xs) > 2 else None)
    if op == "softmax":
        return torch.softmax(xs[0], o["dim"])
    if op == "logSoftmax":
        return torch.log_softmax(xs[0], o["dim"])
    if op == "layerNorm":
        w = xs[1] if len(xs) > 1 else None
        b = xs[2] if len(xs) > 2 else None
        return F.layer_norm(xs[0], o["normalizedShape"], w, b, o["eps"])
    if op == "crossEntropy":
        w = xs[2] if len(xs) > 2 else None
        return F.cross_entropy(xs[0], xs[1], weight=w, ignore_index=o["ignoreIndex"],
                               reduction=o["reduction"], label_smoothing=o["labelSmoothing"])
    if op == "embedding":
        return F.embedding(xs[0], xs[1], padding_idx=o.get("paddingIdx"))
    if op == "attention":
        q, k, v = xs[0], xs[1], xs[2]
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
        if o.get("causal"):
            Tq, Tk = s.shape[-2], s.shape[-1]
            s = s.masked_fill(torch.triu(torch.ones(Tq, Tk, dtype=torch.bool), diagonal=1 + Tk - Tq), float("-inf"))
        if "keyPaddingMask" in o:
            B, Tk = s.shape[0], s.shape[-1]
            pad = torch.tensor(o["keyPaddingMask"], dtype=DT).reshape(B, 1, 1, Tk) <= 0.5
            s = s.masked_fill(pad, float("-inf"))
        return torch.matmul(torch.softmax(s, -1), v)
    if op == "permute":
        return xs[0].permute(o["dims"])
    if op == "narrow":
        return xs[0].narrow(o["axis"], o["start"], o["length"])
    if op == "concat":
        return torch.cat(xs, o["axis"])
    if op == "stack":
        return torch.stack(xs, o["axis"])
    if op == "expand":
        return xs[0].expand(o["shape"])
    if op == "reshape":
        return xs[0].reshape(o["shape"])
    raise ValueError(f"unknown op {op}")


def main(folder):
    with open(os.path.join(folder, "input.json")) as f:
        cfg = json.load(f)
    results = {}
    for case in cfg["cases"]:
        try:
            leaves = [leaf(s) for s in case["inputs"]]
            xs = [view(s, t) for s, t in zip(case["inputs"], leaves)]
            out = run(case["op"], xs, case.get("opts", {}))
            grads = [None] * len(leaves)
            if any(t.requires_grad for t in leaves) and out.numel() > 0:
                R = torch.tensor(case["R"][: out.numel()], dtype=DT).reshape(out.shape)
                (out * R).sum().backward()
                grads = [flat(t.grad) if t.requires_grad and t.grad is not None else None for t in leaves]
            results[case["id"]] = {"out": flat(out), "shape": list(out.shape), "grads": grads}
        except Exception as e:  # noqa: BLE001 - a refusal is a result to compare
            results[case["id"]] = {"error": str(e).split("\n")[0]}
    with open(os.path.join(folder, "output.json"), "w") as f:
        json.dump({"torch": torch.__version__, "results": results}, f, allow_nan=False)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ops.py DIR")
    main(sys.argv[1])
