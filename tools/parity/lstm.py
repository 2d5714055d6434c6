#!/usr/bin/env python3
"""PyTorch reference for the LSTM parity test (src/models/cells/lstm.parity.test.ts).

Usage: /usr/bin/python3 tools/parity/lstm.py DIR

Reads DIR/input.json:
  inputSize, hiddenSize, numLayers, bidirectional   nn.LSTM's configuration (always batch_first)
  x: flat [B, T, I]; xShape: [B, T, I]
  params: {name: flat values}                       by nn.LSTM's parameter names
  R: flat [B, T, D*H]                               the loss is sum(out * R)
  lengths (optional): [B]                           runs through pack_padded_sequence
  h0, c0 (optional): flat [L*D, B, H]               initial state (gradients returned)
  Rh, Rc (optional): flat [L*D, B, H]               add sum(h_n * Rh) + sum(c_n * Rc) to the loss

Writes DIR/output.json: output, h, c, and grads {x, h0?, c0?, params {name: flat}}, all in float64
(the reference runs in double precision so only our float32 rounding shows).
"""
import json
import os
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def flat(t):
    return t.detach().reshape(-1).tolist()


def main(folder):
    with open(os.path.join(folder, "input.json")) as f:
        cfg = json.load(f)
    dt = torch.float64
    lstm = torch.nn.LSTM(
        cfg["inputSize"],
        cfg["hiddenSize"],
        num_layers=cfg["numLayers"],
        bidirectional=cfg["bidirectional"],
        batch_first=True,
    ).to(dt)
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            p.copy_(torch.tensor(cfg["params"][name], dtype=dt).reshape(p.shape))
    B, T, _ = cfg["xShape"]
    x = torch.tensor(cfg["x"], dtype=dt).reshape(cfg["xShape"]).requires_grad_()
    state_shape = (cfg["numLayers"] * (2 if cfg["bidirectional"] else 1), B, cfg["hiddenSize"])
    h0 = c0 = None
    if "h0" in cfg:
        h0 = torch.tensor(cfg["h0"], dtype=dt).reshape(state_shape).requires_grad_()
        c0 = torch.tensor(cfg["c0"], dtype=dt).reshape(state_shape).requires_grad_()
    hx = (h0, c0) if h0 is not None else None
    if "lengths" in cfg:
        packed = pack_padded_sequence(x, torch.tensor(cfg["lengths"]), batch_first=True, enforce_sorted=False)
        out_packed, (hn, cn) = lstm(packed, hx)
        out, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=T)
    else:
        out, (hn, cn) = lstm(x, hx)
    loss = (out * torch.tensor(cfg["R"], dtype=dt).reshape(out.shape)).sum()
    if "Rh" in cfg:
        loss = loss + (hn * torch.tensor(cfg["Rh"], dtype=dt).reshape(hn.shape)).sum()
        loss = loss + (cn * torch.tensor(cfg["Rc"], dtype=dt).reshape(cn.shape)).sum()
    loss.backward()
    grads = {"x": flat(x.grad), "params": {n: flat(p.grad) for n, p in lstm.named_parameters()}}
    if h0 is not None:
        grads["h0"] = flat(h0.grad)
        grads["c0"] = flat(c0.grad)
    result = {"output": flat(out), "h": flat(hn), "c": flat(cn), "grads": grads, "torch": torch.__version__}
    with open(os.path.join(folder, "output.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: lstm.py DIR")
    main(sys.argv[1])
