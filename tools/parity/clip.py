#!/usr/bin/env python3
"""PyTorch reference for the clipping / optimizer parity test (src/engine/clip.parity.test.ts).

Usage: /usr/bin/python3 tools/parity/clip.py DIR

Reads DIR/input.json:
  shapes: [[...], ...]                      the parameters' shapes
  grads: [flat or null, ...]                one gradient per parameter (null: no gradient)
  norm: [{maxNorm, normType}, ...]          torch.nn.utils.clip_grad_norm_ cases (normType a number or "inf"),
                                            each on a fresh copy of `grads`
  value: [c, ...]                           torch.nn.utils.clip_grad_value_ cases
  optim: [{algo: "adam"|"adamw"|"sgd", options: {...}, lrs: [lr per step],
           params: [flat, ...], grads: [[flat or null per parameter] per step]}, ...]

Writes DIR/output.json:
  norm:  [{total, grads: [flat or null]}]    the returned total norm and the clipped gradients
  value: [{grads: [flat or null]}]
  optim: [{params: [[flat per parameter] per step], state: {name: flat}}]
  torch: the version
Everything runs in float64, so only our float32 rounding shows.
"""
import json
import os
import sys

import torch

DT = torch.float64


def flat(t):
    return t.detach().reshape(-1).tolist()


def make_params(shapes, grads):
    params = []
    for shape, g in zip(shapes, grads):
        p = torch.zeros(shape, dtype=DT, requires_grad=True)
        if g is not None:
            p.grad = torch.tensor(g, dtype=DT).reshape(shape)
        params.append(p)
    return params


def grads_of(params):
    return [None if p.grad is None else flat(p.grad) for p in params]


def run_optim(case, shapes):
    params = [torch.tensor(v, dtype=DT).reshape(s).requires_grad_() for v, s in zip(case["params"], shapes)]
    o = case["options"]
    g1 = case.get("group1")
    # A second parameter group from g1["from"] on (param_groups), with its own settings.
    groups = params
    if g1:
        extra = {"weight_decay": g1["weightDecay"]} if "weightDecay" in g1 else {}
        if "betas" in g1:
            extra["betas"] = tuple(g1["betas"])
        if "eps" in g1:
            extra["eps"] = g1["eps"]
        groups = [{"params": params[:g1["from"]]}, {"params": params[g1["from"]:], **extra}]
    if case["algo"] == "sgd":
        opt = torch.optim.SGD(groups, lr=case["lrs"][0], momentum=o.get("momentum", 0), dampening=o.get("dampening", 0),
                              weight_decay=o.get("weightDecay", 0), nesterov=o.get("nesterov", False))
    else:
        cls = torch.optim.Adam if case["algo"] == "adam" else torch.optim.AdamW
        kw = dict(lr=case["lrs"][0], betas=tuple(o.get("betas", (0.9, 0.999))), eps=o.get("eps", 1e-8), amsgrad=o.get("amsgrad", False))
        if "weightDecay" in o:
            kw["weight_decay"] = o["weightDecay"]
        opt = cls(groups, **kw)
    history = []
    for lr, step_grads in zip(case["lrs"], case["grads"]):
        for group in opt.param_groups:
            group["lr"] = lr
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else torch.tensor(g, dtype=DT).reshape(p.shape)
        opt.step()
        history.append([flat(p) for p in params])
    state = {}
    for i, p in enumerate(params):
        for k, v in opt.state[p].items():
            if torch.is_tensor(v):
                state[f"{i}.{k}"] = flat(v)
    return {"params": history, "state": state}


def main(folder):
    with open(os.path.join(folder, "input.json")) as f:
        cfg = json.load(f)
    shapes = cfg["shapes"]
    out = {"norm": [], "value": [], "optim": [], "torch": torch.__version__}
    for case in cfg["norm"]:
        params = make_params(shapes, cfg["grads"])
        norm_type = float("inf") if case["normType"] == "inf" else float(case["normType"])
        total = torch.nn.utils.clip_grad_norm_(params, case["maxNorm"], norm_type)
        out["norm"].append({"total": float(total), "grads": grads_of(params)})
    for c in cfg["value"]:
        params = make_params(shapes, cfg["grads"])
        torch.nn.utils.clip_grad_value_(params, c)
        out["value"].append({"grads": grads_of(params)})
    for case in cfg["optim"]:
        out["optim"].append(run_optim(case, shapes))
    with open(os.path.join(folder, "output.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1])
