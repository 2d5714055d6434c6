#!/usr/bin/env python3
"""PyTorch versions of Attention Playground's two encoder–decoders, for checkpoints made by it.

Builds the Transformer (src/models/transformer.ts) or the RNN encoder–decoder with attention
(src/models/rnn-seq2seq.ts) that a checkpoint's config describes, with the same parameter names,
loads its weights, and computes the training loss of a batch (teacher forcing, cross-entropy with
ignore_index = -100 and the config's label smoothing, as src/train/trainer.ts does). It is the
reference of src/train/seq2seq.parity.test.ts, and a way to continue training one of our
checkpoints in PyTorch and bring it back (docs/pytorch.md). Only torch, numpy and the standard
library are needed: the .safetensors reader and writer are here (no `safetensors` package).

Python (docs/pytorch.md has a whole training loop):
  model, meta = load_checkpoint(path)           # nn.Module + the file's metadata (config, vocabularies)
  ids = encode(text, meta["src_vocab"])         # our tokenizer, ported
  batch = make_batch([(src_ids, tgt_ids), ...]) # BOS/EOS/PAD as our batches
  loss = model.loss(batch); loss.backward(); optimizer.step(); model.after_optimizer_step()
  save_checkpoint(out_path, model, meta, step=n) # loads in the playground and the CLIs
A model built here without loading has PyTorch's default initial values, not ours.

Command line:
  seq2seq.py grads CHECKPOINT BATCH.json [--float64] [--out FILE] [--lr LR --save OUT]
    Prints (or writes to FILE) JSON {"loss": x, "grads": {name: [flat values]}, "torch": version}:
    the mean loss of the batch and its gradient with respect to every parameter, with dropout off.
    --float64 runs in double precision (the parity test's reference). With --save, one plain SGD
    step p ← p − LR·∂loss/∂p is taken and the model written to OUT as a checkpoint that the
    playground loads (its config, vocabularies and metadata kept, step + 1).
  seq2seq.py pieces TEXTS.json --level word|char [--lowercase] [--out FILE]
    The tokens of each text of a JSON list, split as src/data/tokenizer.ts does (see encode()).
  seq2seq.py jobs JOBS.json [--float64]
    Several runs in one process (torch is imported once): JOBS.json is a list of `grads` jobs
    {"checkpoint", "batch", "out", "save" (optional), "lr" (optional)} and `pieces` jobs
    {"texts", "level", "lowercase", "out"}; each result goes to its "out".

BATCH.json holds either the arrays of src/train/batches.ts's HostBatch (size, srcLen, tgtLen, src,
srcLengths, tgtIn, tgtOut; flat row-major lists, or nested lists) or "pairs": [{"src": [ids],
"tgt": [ids]}, ...] (token ids without BOS/EOS), batched here by make_batch exactly as makeBatch
does. When both are given they must agree.

The math, as in the TypeScript models (their headers say more):
  Transformer: x = Dropout(√d·E[ids] + P[:T]), P sinusoidal (rounded to float32 as our table is) or
  learned; post-LN x = LN(x + Dropout(Sublayer(x))) or pre-LN x = x + Dropout(Sublayer(LN(x)));
  FF = linear2(Dropout(ReLU(linear1 x))); final encoder.norm and decoder.norm in both cases;
  logits = generator(h) or, tied, h·tgt_embedding.weightᵀ + generator_bias.
  RNN: packed encoder (pack_padded_sequence), s0 = tanh(bridge_h [h_fin fwd; bwd]) per layer
  (c0 likewise for the LSTM), decoder from s0, attention over the encoder outputs with additive
  vᵀtanh(W_s s + W_h h), dot sᵀh or general (W s)ᵀh scores, h̃ = tanh(combine [c; s]),
  logits = generator(Dropout(h̃)).
  Hard attention (both models): the softmax weights P are restricted by a mask M computed from P and
  held constant (top-k: the k largest of a row, ties to the lower key index; threshold τ: P ≥ τ,
  else the row's first argmax), then renormalised: W = P⊙M / Σ(P⊙M) (src/engine/ops/hard-attention.ts).
"""
import argparse
import bisect
import json
import math
import re
import struct
import sys
import unicodedata

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, BOS, EOS, UNK = 0, 1, 2, 3
IGNORE_INDEX = -100
CHECKPOINT_FORMAT = "attention-playground"
OPTIMIZER_PREFIX = "optimizer."

# ---- safetensors -------------------------------------------------------------------------------

_DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "F16": np.float16, "U8": np.uint8}


def read_safetensors(path):
    """(tensors {name: torch tensor}, metadata {str: str}) of a .safetensors file.

    Layout: an unsigned 64-bit little-endian header length N, N bytes of JSON
    {"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}}, then the data
    (little-endian, row-major), offsets relative to the start of the data.
    """
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: not a .safetensors file ({len(raw)} bytes)")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = memoryview(raw)[8 + n :]
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, info in header.items():
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name!r} has unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=np.dtype(dtype).newbyteorder("<"))
        tensors[name] = torch.from_numpy(array.astype(dtype).reshape(info["shape"]).copy())
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    """Writes float32 tensors and string metadata as src/train/safetensors.ts does: tensors sorted
    by name, compact JSON header padded with spaces to a multiple of 8 bytes."""
    names = sorted(tensors)
    entries = {"__metadata__": {k: metadata[k] for k in sorted(metadata)}} if metadata else {}
    blobs = []
    offset = 0
    for name in names:
        blob = tensors[name].detach().cpu().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        entries[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header = json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for blob in blobs:
            f.write(blob)


# ---- hard attention ----------------------------------------------------------------------------


def hard_rule(config):
    """The config's hard-attention rule, or None for soft attention (src/train/build-model.ts)."""
    if config["attention"] != "hard":
        return None
    if config["hardKind"] == "topk":
        return {"kind": "topk", "k": int(config["hardK"])}
    return {"kind": "threshold", "tau": float(config["hardThreshold"])}


def harden(p, rule):
    """W = P⊙M / Σ_j(P⊙M) over the last axis, M a constant 0/1 mask (straight-through selection)."""
    if rule is None:
        return p
    with torch.no_grad():
        if rule["kind"] == "topk":
            # rank_ij = #{l : P_il > P_ij, or P_il = P_ij and l < j}; keep rank < k.
            tk = p.shape[-1]
            pj = p.unsqueeze(-1)
            pl = p.unsqueeze(-2)
            idx = torch.arange(tk, device=p.device)
            earlier = idx.view(1, tk) < idx.view(tk, 1)
            rank = ((pl > pj) | ((pl == pj) & earlier)).sum(-1)
            keep = rank < rule["k"]
        else:
            # The threshold as our kernel sees it (float32).
            keep = p >= float(np.float32(rule["tau"]))
            first_max = F.one_hot(p.argmax(-1), p.shape[-1]).bool()
            keep = torch.where(keep.any(-1, keepdim=True), keep, first_max)
    kept = p * keep.to(p.dtype)
    z = kept.sum(-1, keepdim=True)
    # A row whose kept weights sum to 0 (nothing to attend to) stays all zeros.
    return kept / torch.where(z != 0, z, torch.ones_like(z))


# ---- Transformer -------------------------------------------------------------------------------


class HardMultiheadAttention(nn.MultiheadAttention):
    """nn.MultiheadAttention (same parameters) whose weights go through the hard rule:
    out = harden(softmax(QKᵀ/√d, masked)) V per head, then out_proj."""

    def __init__(self, embed_dim, num_heads, rule):
        super().__init__(embed_dim, num_heads, batch_first=True)
        self.rule = rule

    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None, need_weights=False, average_attn_weights=False):
        b, tq, e = query.shape
        tk = key.shape[1]
        h = self.num_heads
        d = e // h
        wq, wk, wv = self.in_proj_weight.split(e)
        bq, bk, bv = self.in_proj_bias.split(e)

        def heads(x, w, bias, t):
            return F.linear(x, w, bias).view(b, t, h, d).transpose(1, 2)

        q, k, v = heads(query, wq, bq, tq), heads(key, wk, bk, tk), heads(value, wv, bv, tk)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d)
        if key_padding_mask is not None:
            scores = scores.masked_fill(key_padding_mask.view(b, 1, 1, tk), float("-inf"))
        if attn_mask is not None:
            scores = scores.masked_fill(attn_mask, float("-inf"))
        weights = harden(torch.softmax(scores, -1), self.rule)
        out = self.out_proj((weights @ v).transpose(1, 2).reshape(b, tq, e))
        return out, (weights if need_weights else None)


def attention_module(d, heads, rule):
    return nn.MultiheadAttention(d, heads, batch_first=True) if rule is None else HardMultiheadAttention(d, heads, rule)


class ResidualLayer(nn.Module):
    """What both layer kinds share (their modules are registered by each, in PyTorch's order):
    the feed-forward linear2(Dropout(ReLU(linear1(x)))) and the residual around a sub-layer f,
    pre-LN x + Dropout(f(LN(x))) or post-LN LN(x + Dropout(f(x)))."""

    def ff(self, x):
        return self.linear2(self.dropout(F.relu(self.linear1(x))))

    def residual(self, x, norm, f):
        if self.pre_norm:
            return x + self.dropout(f(norm(x)))
        return norm(x + self.dropout(f(x)))


class EncoderLayer(ResidualLayer):
    def __init__(self, d, heads, d_ff, dropout, pre_norm, rule):
        super().__init__()
        self.self_attn = attention_module(d, heads, rule)
        self.linear1 = nn.Linear(d, d_ff)
        self.linear2 = nn.Linear(d_ff, d)
        self.norm1 = nn.LayerNorm(d)
        self.norm2 = nn.LayerNorm(d)
        self.dropout = nn.Dropout(dropout)
        self.pre_norm = pre_norm

    def forward(self, x, key_padding_mask):
        def sa(h):
            return self.self_attn(h, h, h, key_padding_mask=key_padding_mask, need_weights=False)[0]

        x = self.residual(x, self.norm1, sa)
        return self.residual(x, self.norm2, self.ff)


class DecoderLayer(ResidualLayer):
    def __init__(self, d, heads, d_ff, dropout, pre_norm, rule):
        super().__init__()
        self.self_attn = attention_module(d, heads, rule)
        self.multihead_attn = attention_module(d, heads, rule)
        self.linear1 = nn.Linear(d, d_ff)
        self.linear2 = nn.Linear(d_ff, d)
        self.norm1 = nn.LayerNorm(d)
        self.norm2 = nn.LayerNorm(d)
        self.norm3 = nn.LayerNorm(d)
        self.dropout = nn.Dropout(dropout)
        self.pre_norm = pre_norm

    def forward(self, y, memory, memory_key_padding_mask):
        t = y.shape[1]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool, device=y.device), diagonal=1)

        def sa(h):
            return self.self_attn(h, h, h, attn_mask=causal, need_weights=False)[0]

        def ca(h):
            return self.multihead_attn(h, memory, memory, key_padding_mask=memory_key_padding_mask, need_weights=False)[0]

        y = self.residual(y, self.norm1, sa)
        y = self.residual(y, self.norm2, ca)
        return self.residual(y, self.norm3, self.ff)


class Stack(nn.Module):
    def __init__(self, layers, d):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.norm = nn.LayerNorm(d)


def sinusoid(max_len, d):
    """PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(...), rounded to float32 like our table."""
    pe = torch.zeros(max_len, d, dtype=torch.float64)
    for p in range(max_len):
        for i in range(0, d, 2):
            angle = p / math.pow(10000, i / d)
            pe[p, i] = math.sin(angle)
            if i + 1 < d:
                pe[p, i + 1] = math.cos(angle)
    return pe.float()


class Seq2Seq(nn.Module):
    """What both models share: loss(batch), the trainer's teacher-forced cross-entropy."""

    def loss(self, batch, label_smoothing=None):
        logits = self.decode(self.encode(batch), batch["tgt_in"])
        eps = self.config["labelSmoothing"] if label_smoothing is None else label_smoothing
        return F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), batch["tgt_out"].reshape(-1), ignore_index=IGNORE_INDEX, label_smoothing=eps
        )

    def after_optimizer_step(self):
        """Call after every optimizer step (IndRNN's recurrent-weight bound; nothing otherwise)."""


class Transformer(Seq2Seq):
    def __init__(self, config, src_vocab, tgt_vocab):
        super().__init__()
        c = config
        self.config = c
        d = c["dModel"]
        self.d_model = d
        self.max_len = c["maxLen"] + 2
        rule = hard_rule(c)
        pre = c["norm"] == "pre"
        self.src_embedding = nn.Embedding(src_vocab, d, padding_idx=PAD)
        self.tgt_embedding = nn.Embedding(tgt_vocab, d, padding_idx=PAD)
        if c["positional"] == "learned":
            self.src_pos = nn.Parameter(torch.randn(self.max_len, d) * 0.02)
            self.tgt_pos = nn.Parameter(torch.randn(self.max_len, d) * 0.02)
        else:
            pe = sinusoid(self.max_len, d)
            self.register_buffer("src_pe", pe, persistent=False)
            self.register_buffer("tgt_pe", pe.clone(), persistent=False)
        args = (d, c["heads"], c["dFF"], c["dropout"], pre, rule)
        self.encoder = Stack([EncoderLayer(*args) for _ in range(c["layers"])], d)
        self.decoder = Stack([DecoderLayer(*args) for _ in range(c["layers"])], d)
        if c["tieEmbeddings"]:
            self.generator_bias = nn.Parameter(torch.zeros(tgt_vocab))
            self.generator = None
        else:
            self.generator = nn.Linear(d, tgt_vocab)
        self.dropout = nn.Dropout(c["dropout"])

    def _positions(self, which):
        return getattr(self, f"{which}_pos") if self.config["positional"] == "learned" else getattr(self, f"{which}_pe")

    def _embed(self, ids, table, pos):
        t = ids.shape[1]
        if t > self.max_len:
            raise ValueError(f"sequence of {t} tokens is longer than the model's maximum length {self.max_len}")
        return self.dropout(table(ids) * math.sqrt(self.d_model) + pos[:t])

    def encode(self, batch):
        pad_mask = ~batch["src_mask"]
        x = self._embed(batch["src"], self.src_embedding, self._positions("src"))
        for layer in self.encoder.layers:
            x = layer(x, pad_mask)
        return {"memory": self.encoder.norm(x), "pad_mask": pad_mask}

    def decode(self, enc, tgt_in):
        y = self._embed(tgt_in, self.tgt_embedding, self._positions("tgt"))
        for layer in self.decoder.layers:
            y = layer(y, enc["memory"], enc["pad_mask"])
        h = self.decoder.norm(y)
        if self.generator is None:
            return h @ self.tgt_embedding.weight.t() + self.generator_bias
        return self.generator(h)


# ---- recurrent layers --------------------------------------------------------------------------
# Every stack is called as run(x [B, T, I], lengths or None, (h0, c0) or None) →
# (output [B, T, D·H], h_n [L·D, B, H], c_n or None), with pack_padded_sequence semantics: past
# row b's length its state stops changing and its outputs are 0; the reverse direction starts at
# its last real token.


class LSTMLayers(nn.LSTM):
    has_cell_state = True

    def run(self, x, lengths=None, state=None):
        if lengths is None:
            out, (h, c) = self(x, state)
            return out, h, c
        packed = pack_padded_sequence(x, torch.as_tensor(lengths, dtype=torch.int64), batch_first=True, enforce_sorted=False)
        out, (h, c) = self(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out, h, c


class GRULayers(nn.GRU):
    has_cell_state = False

    def run(self, x, lengths=None, state=None):
        h0 = state[0] if state is not None else None
        if lengths is None:
            out, h = self(x, h0)
            return out, h, None
        packed = pack_padded_sequence(x, torch.as_tensor(lengths, dtype=torch.int64), batch_first=True, enforce_sorted=False)
        out, h = self(packed, h0)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out, h, None


class StepLayers(nn.Module):
    """Cells written out step by step (JANET, IndRNN), parameters named like nn.LSTM's."""

    has_cell_state = False

    def __init__(self, input_size, hidden_size, num_layers, bidirectional, gates, square_hh):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.num_directions = 2 if bidirectional else 1
        bound = 1 / math.sqrt(hidden_size)
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size * self.num_directions
            for direction in range(self.num_directions):
                s = f"_l{layer}{'_reverse' if direction else ''}"
                g = gates * hidden_size
                self.register_parameter(f"weight_ih{s}", nn.Parameter(torch.empty(g, n_in).uniform_(-bound, bound)))
                hh = torch.empty(g, hidden_size).uniform_(-bound, bound) if square_hh else torch.rand(hidden_size)
                self.register_parameter(f"weight_hh{s}", nn.Parameter(hh))
                self.register_parameter(f"bias_ih{s}", nn.Parameter(torch.zeros(g)))

    def step(self, gx_t, h, suffix):
        raise NotImplementedError

    def run(self, x, lengths=None, state=None):
        b, t, _ = x.shape
        big_h, d = self.hidden_size, self.num_directions
        lengths = torch.as_tensor(lengths if lengths is not None else [t] * b, device=x.device)
        finals = []
        inp = x
        for layer in range(self.num_layers):
            outs = []
            for direction in range(d):
                s = f"_l{layer}{'_reverse' if direction else ''}"
                gx = F.linear(inp, getattr(self, f"weight_ih{s}"), getattr(self, f"bias_ih{s}"))
                k = layer * d + direction
                h = state[0][k] if state is not None else x.new_zeros(b, big_h)
                ys = [None] * t
                for step in reversed(range(t)) if direction else range(t):
                    valid = (step < lengths).view(b, 1)
                    h_new = self.step(gx[:, step], h, s)
                    ys[step] = torch.where(valid, h_new, torch.zeros_like(h_new))
                    h = torch.where(valid, h_new, h)
                outs.append(torch.stack(ys, 1))
                finals.append(h)
            inp = torch.cat(outs, -1)
        return inp, torch.stack(finals, 0), None


class JANETLayers(StepLayers):
    """s = W_f x + b_f + U_f h;  c̃ = tanh(W_c x + b_c + U_c h);  h' = σ(s)⊙h + (1 − σ(s − β))⊙c̃, β = 1."""

    beta = 1.0

    def __init__(self, input_size, hidden_size, num_layers, bidirectional):
        super().__init__(input_size, hidden_size, num_layers, bidirectional, gates=2, square_hh=True)

    def step(self, gx_t, h, suffix):
        gh = h @ getattr(self, f"weight_hh{suffix}").t()
        a = gx_t + gh
        s, c_in = a.split(self.hidden_size, -1)
        return torch.sigmoid(s) * h + (1 - torch.sigmoid(s - self.beta)) * torch.tanh(c_in)


class IndRNNLayers(StepLayers):
    """h' = ReLU(W x + b + u⊙h), u [H] one recurrent weight per unit (both 'indrnn' and 'indrnn2')."""

    def __init__(self, input_size, hidden_size, num_layers, bidirectional, t_max):
        super().__init__(input_size, hidden_size, num_layers, bidirectional, gates=1, square_hh=False)
        self.recurrent_max = 2 ** (1 / t_max)
        self.recurrent_min = 0.0

    def step(self, gx_t, h, suffix):
        return F.relu(gx_t + getattr(self, f"weight_hh{suffix}") * h)

    @torch.no_grad()
    def constrain(self):
        """u ← sign(u)·clamp(|u|, min, max), as IndRNN's constrainRecurrentWeights()."""
        for name, p in self.named_parameters():
            if name.startswith("weight_hh"):
                p.copy_(torch.sign(p) * p.abs().clamp(self.recurrent_min, self.recurrent_max))


def recurrent_layers(cell, input_size, hidden, layers, bidirectional, t_max):
    if cell == "lstm":
        return LSTMLayers(input_size, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=True)
    if cell == "gru":
        return GRULayers(input_size, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=True)
    if cell == "janet":
        return JANETLayers(input_size, hidden, layers, bidirectional)
    if cell in ("indrnn", "indrnn2"):
        return IndRNNLayers(input_size, hidden, layers, bidirectional, t_max)
    raise ValueError(f"unknown cell {cell!r}")


# ---- RNN encoder–decoder -----------------------------------------------------------------------


class AdditiveAttention(nn.Module):
    """score(s, h) = vᵀ tanh(W_s s + W_h h), no biases."""

    def __init__(self, query_dim, key_dim):
        super().__init__()
        self.linear_query = nn.Linear(query_dim, key_dim, bias=False)
        self.linear_context = nn.Linear(key_dim, key_dim, bias=False)
        self.v = nn.Linear(key_dim, 1, bias=False)

    def scores(self, s, memory):
        hidden = torch.tanh(self.linear_query(s).unsqueeze(2) + self.linear_context(memory).unsqueeze(1))
        return self.v(hidden).squeeze(-1)


class LuongAttention(nn.Module):
    """'dot': sᵀh;  'general': (W s)ᵀh with W = linear_in."""

    def __init__(self, query_dim, key_dim, scoring):
        super().__init__()
        self.linear_in = nn.Linear(query_dim, key_dim, bias=False) if scoring == "general" else None

    def scores(self, s, memory):
        q = self.linear_in(s) if self.linear_in is not None else s
        return q @ memory.transpose(1, 2)


class RnnSeq2Seq(Seq2Seq):
    def __init__(self, config, src_vocab, tgt_vocab):
        super().__init__()
        c = config
        self.config = c
        self.rule = hard_rule(c)
        big_h, e, layers = c["hidden"], c["embed"], c["layers"]
        d = 2 if c["bidirectional"] else 1
        he = -(-big_h // d)
        t_max = max(2, c["maxLen"] + 2)
        self.num_directions = d
        self.src_embedding = nn.Embedding(src_vocab, e, padding_idx=PAD)
        self.encoder = recurrent_layers(c["cell"], e, he, layers, c["bidirectional"], t_max)
        self.encoder_proj = nn.Linear(d * he, big_h, bias=False) if d * he != big_h else None
        self.bridge_h = nn.Linear(d * he, big_h)
        self.bridge_c = nn.Linear(d * he, big_h) if self.encoder.has_cell_state else None
        self.tgt_embedding = nn.Embedding(tgt_vocab, e, padding_idx=PAD)
        self.decoder = recurrent_layers(c["cell"], e, big_h, layers, False, t_max)
        if c["scoring"] == "additive":
            self.attention = AdditiveAttention(big_h, big_h)
        else:
            self.attention = LuongAttention(big_h, big_h, c["scoring"])
        self.combine = nn.Linear(2 * big_h, big_h, bias=False)
        self.generator = nn.Linear(big_h, tgt_vocab)
        self.dropout = nn.Dropout(c["dropout"])

    def _per_layer(self, s):
        """[L·D, B, He] → [L, B, D·He]: each layer's directions side by side, forward first."""
        ld, b, he = s.shape
        d = self.num_directions
        return s.view(ld // d, d, b, he).permute(0, 2, 1, 3).reshape(ld // d, b, d * he)

    def encode(self, batch):
        x = self.dropout(self.src_embedding(batch["src"]))
        out, h, c = self.encoder.run(x, batch["src_lengths"])
        memory = self.encoder_proj(out) if self.encoder_proj is not None else out
        h0 = torch.tanh(self.bridge_h(self._per_layer(h)))
        c0 = torch.tanh(self.bridge_c(self._per_layer(c))) if self.bridge_c is not None else None
        return {"memory": memory, "mask": batch["src_mask"], "state": (h0, c0) if c0 is not None else (h0,)}

    def decode(self, enc, tgt_in):
        y = self.dropout(self.tgt_embedding(tgt_in))
        s, _, _ = self.decoder.run(y, None, enc["state"])
        memory = enc["memory"]
        scores = self.attention.scores(s, memory).masked_fill(~enc["mask"].unsqueeze(1), float("-inf"))
        weights = harden(torch.softmax(scores, -1), self.rule)
        context = weights @ memory
        h_tilde = torch.tanh(self.combine(torch.cat([context, s], -1)))
        return self.generator(self.dropout(h_tilde))

    def after_optimizer_step(self):
        for rnn in (self.encoder, self.decoder):
            if isinstance(rnn, IndRNNLayers):
                rnn.constrain()


# ---- checkpoints and batches -------------------------------------------------------------------


def build_model(config, src_vocab, tgt_vocab):
    cls = Transformer if config["model"] == "transformer" else RnnSeq2Seq
    return cls(config, src_vocab, tgt_vocab)


def load_checkpoint(path, dtype=torch.float32):
    """(model, metadata) from one of our .safetensors checkpoints. The optimizer state stored
    under 'optimizer.*' is not loaded (PyTorch's optimizers keep their own)."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path}: not an Attention Playground checkpoint (metadata format {meta.get('format')!r})")
    config = json.loads(meta["config"])
    src_vocab = len(json.loads(meta["src_vocab"])["tokens"])
    tgt_vocab = len(json.loads(meta["tgt_vocab"])["tokens"])
    model = build_model(config, src_vocab, tgt_vocab)
    params = dict(model.named_parameters())
    stored = {k: v for k, v in tensors.items() if not k.startswith(OPTIMIZER_PREFIX)}
    if set(stored) != set(params):
        missing = sorted(set(params) - set(stored))
        extra = sorted(set(stored) - set(params))
        raise ValueError(f"{path}: parameters do not match the config (missing {missing}, unexpected {extra})")
    with torch.no_grad():
        for name, p in params.items():
            if tuple(stored[name].shape) != tuple(p.shape):
                raise ValueError(f"{path}: {name} has shape {list(stored[name].shape)}, the config needs {list(p.shape)}")
            p.copy_(stored[name])
    return model.to(dtype), meta


def save_checkpoint(path, model, metadata, step=None):
    """Writes the model's parameters (float32) with the metadata of the checkpoint it came from, so
    the playground and `npm run translate` load it; `step` replaces the stored step count."""
    meta = dict(metadata)
    if step is not None:
        meta["step"] = str(int(step))
    write_safetensors(path, dict(model.named_parameters()), meta)


def make_batch(pairs):
    """src/train/batches.ts makeBatch: src + EOS then PAD; tgt_in = BOS y then PAD; tgt_out = y EOS
    then IGNORE_INDEX. pairs: [(src ids, tgt ids)] or [{"src": ..., "tgt": ...}], without BOS/EOS."""
    pairs = [(p["src"], p["tgt"]) if isinstance(p, dict) else p for p in pairs]
    b = len(pairs)
    src_lengths = [len(s) + 1 for s, _ in pairs]
    s_len = max([1, *src_lengths])
    t_len = max([1, *(len(t) + 1 for _, t in pairs)])
    src = torch.full((b, s_len), PAD, dtype=torch.int64)
    tgt_in = torch.full((b, t_len), PAD, dtype=torch.int64)
    tgt_out = torch.full((b, t_len), IGNORE_INDEX, dtype=torch.int64)
    for i, (s, t) in enumerate(pairs):
        src[i, : len(s)] = torch.tensor(s, dtype=torch.int64)
        src[i, len(s)] = EOS
        tgt_in[i, 0] = BOS
        tgt_in[i, 1 : len(t) + 1] = torch.tensor(t, dtype=torch.int64)
        tgt_out[i, : len(t)] = torch.tensor(t, dtype=torch.int64)
        tgt_out[i, len(t)] = EOS
    mask = torch.arange(s_len).view(1, s_len) < torch.tensor(src_lengths).view(b, 1)
    return {"src": src, "src_mask": mask, "src_lengths": src_lengths, "tgt_in": tgt_in, "tgt_out": tgt_out}


def batch_from_json(obj):
    """A batch from HostBatch-like JSON and/or "pairs" (see the module docstring)."""
    built = make_batch(obj["pairs"]) if "pairs" in obj else None
    if "src" not in obj:
        if built is None:
            raise ValueError("the batch JSON needs HostBatch arrays (src, srcLengths, tgtIn, tgtOut) or pairs")
        return built

    def grid(key, rows, cols):
        return torch.tensor(obj[key], dtype=torch.int64).reshape(rows, cols)

    lengths = [int(n) for n in obj["srcLengths"]]
    b = len(lengths)
    src = torch.tensor(obj["src"], dtype=torch.int64).reshape(b, -1)
    s_len = src.shape[1]
    tgt_in = torch.tensor(obj["tgtIn"], dtype=torch.int64).reshape(b, -1)
    batch = {
        "src": src,
        "src_mask": torch.arange(s_len).view(1, s_len) < torch.tensor(lengths).view(b, 1),
        "src_lengths": lengths,
        "tgt_in": tgt_in,
        "tgt_out": grid("tgtOut", b, tgt_in.shape[1]),
    }
    if built is not None:
        for k in ("src", "src_mask", "tgt_in", "tgt_out"):
            if built[k].shape != batch[k].shape or not torch.equal(built[k], batch[k]):
                raise ValueError(f"the batch's {k} differs from make_batch(pairs)")
        if built["src_lengths"] != lengths:
            raise ValueError("the batch's srcLengths differ from make_batch(pairs)")
    return batch


# ---- tokenizer ---------------------------------------------------------------------------------
# src/data/tokenizer.ts, so that new sentence pairs become the ids a checkpoint's vocabulary
# expects. A vocabulary is the checkpoint's metadata "src_vocab" / "tgt_vocab" (JSON: level,
# lowercase, tokens in id order). Normalisation: NFC, optional lower-casing, every run of white
# space (JavaScript's \s) one space, trimmed. Character level: one token per code point. Word
# level: a CJK character alone; a word = letters, digits and marks, with ' ’ - between two word
# characters and . , : between two digits kept inside; two regional indicators (a flag); any other
# character with the marks, skin tones, tag characters and zero-width-joined symbols after it.
# The character classes come from Python's unicodedata, whose Unicode version may be older than
# the browser's: characters assigned since then can split differently.

_JS_SPACE = re.compile("[\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
# Han, Hiragana and Katakana scripts plus U+3000–303F, FE30–FE4F, FF00–FFEF (tokenizer.ts's
# CJK_CLASS), as ranges listed from JavaScript's Unicode 17 tables.
_CJK_RANGES = (
    (0x2E80, 0x2E99), (0x2E9B, 0x2EF3), (0x2F00, 0x2FD5), (0x3000, 0x303F), (0x3041, 0x3096), (0x309D, 0x309F),
    (0x30A1, 0x30FA), (0x30FD, 0x30FF), (0x31F0, 0x31FF), (0x32D0, 0x32FE), (0x3300, 0x3357), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xF900, 0xFA6D), (0xFA70, 0xFAD9), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x16FE2, 0x16FE3),
    (0x16FF0, 0x16FF6), (0x1AFF0, 0x1AFF3), (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE), (0x1B000, 0x1B122),
    (0x1B132, 0x1B132), (0x1B150, 0x1B152), (0x1B155, 0x1B155), (0x1B164, 0x1B167), (0x1F200, 0x1F200),
    (0x20000, 0x2A6DF), (0x2A700, 0x2B81D), (0x2B820, 0x2CEAD), (0x2CEB0, 0x2EBE0), (0x2EBF0, 0x2EE5D),
    (0x2F800, 0x2FA1D), (0x30000, 0x3134A), (0x31350, 0x33479),
)
_CJK_STARTS = [a for a, _ in _CJK_RANGES]


def _is_cjk(ch):
    i = bisect.bisect_right(_CJK_STARTS, ord(ch)) - 1
    return i >= 0 and ord(ch) <= _CJK_RANGES[i][1]


def _lnm(ch):
    return unicodedata.category(ch)[0] in "LNM"


def _is_word(ch):
    return _lnm(ch) and not _is_cjk(ch)


def _is_other(ch):
    return ch != " " and not _lnm(ch)


def _is_digit(ch):
    return unicodedata.category(ch)[0] == "N"


def _is_regional(ch):
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _attaches(ch):
    c = ord(ch)
    return unicodedata.category(ch)[0] == "M" or 0x1F3FB <= c <= 0x1F3FF or 0xE0020 <= c <= 0xE007F


def normalize_text(text, lowercase):
    s = unicodedata.normalize("NFC", text)
    if lowercase:
        s = s.lower()
    return _JS_SPACE.sub(" ", s).strip(" ")


def split_words(s):
    """Word-level pieces of a normalised text (tokenizer.ts's WORD_PIECE, scanned by hand)."""
    out = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch == " ":
            i += 1
            continue
        j = i + 1
        if _is_cjk(ch):
            pass
        elif _is_word(ch):
            while True:
                while j < n and _is_word(s[j]):
                    j += 1
                # A joiner continues the word only when a word character follows it.
                if j + 1 < n and _is_word(s[j + 1]) and (
                    s[j] in "'’-" or (s[j] in ".,:" and _is_digit(s[j - 1]) and _is_digit(s[j + 1]))
                ):
                    j += 1
                    continue
                break
        elif _is_regional(ch) and j < n and _is_regional(s[j]):
            j += 1
        else:
            while j < n:
                if _attaches(s[j]):
                    j += 1
                elif s[j] == "\u200d" and j + 1 < n and _is_other(s[j + 1]):
                    j += 2
                else:
                    break
        out.append(s[i:j])
        i = j
    return out


def pieces(text, vocab):
    """The tokens of a text before the vocabulary lookup; vocab is a tokenizer JSON (dict or str)."""
    v = json.loads(vocab) if isinstance(vocab, str) else vocab
    s = normalize_text(text, v["lowercase"])
    return split_words(s) if v["level"] == "word" else list(s)


def encode(text, vocab):
    """Token ids of a text (unknown pieces → <unk> = 3), without BOS/EOS: make_batch adds them."""
    v = json.loads(vocab) if isinstance(vocab, str) else vocab
    index = {t: i for i, t in enumerate(v["tokens"])}
    return [index.get(p, UNK) for p in pieces(text, v)]


# ---- command line ------------------------------------------------------------------------------


def flat(t):
    return t.detach().reshape(-1).tolist()


def grads(checkpoint, batch_path, float64=False, save=None, lr=0.0):
    """The `grads` command: {"loss", "grads", "torch"} of one batch; optionally one SGD step saved."""
    model, meta = load_checkpoint(checkpoint, torch.float64 if float64 else torch.float32)
    model.eval()  # dropout off: the deterministic part of a training step
    with open(batch_path) as f:
        batch = batch_from_json(json.load(f))
    loss = model.loss(batch)
    loss.backward()
    result = {
        "loss": loss.item(),
        "grads": {n: flat(p.grad) if p.grad is not None else [0.0] * p.numel() for n, p in model.named_parameters()},
        "torch": torch.__version__,
    }
    if save:
        with torch.no_grad():
            for p in model.parameters():
                if p.grad is not None:
                    p.copy_(p - lr * p.grad)
        model.after_optimizer_step()
        save_checkpoint(save, model, meta, step=int(meta.get("step", "0")) + 1)
    return result


def write_json(obj, path):
    text = json.dumps(obj)
    if path:
        with open(path, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text + "\n")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grads", help="loss and every parameter gradient of one batch")
    g.add_argument("checkpoint")
    g.add_argument("batch")
    g.add_argument("--float64", action="store_true", help="compute in double precision")
    g.add_argument("--out", help="write the JSON here instead of stdout")
    g.add_argument("--save", help="after the gradients, take one SGD step and save the model here")
    g.add_argument("--lr", type=float, default=0.0, help="learning rate of that step")
    t = sub.add_parser("pieces", help="tokenize texts as src/data/tokenizer.ts does")
    t.add_argument("texts", help="JSON list of strings")
    t.add_argument("--level", choices=["word", "char"], required=True)
    t.add_argument("--lowercase", action="store_true")
    t.add_argument("--out", help="write the JSON here instead of stdout")
    j = sub.add_parser("jobs", help="several grads and pieces runs in one process (one torch import)")
    j.add_argument("jobs", help='JSON list of {"checkpoint", "batch", "out", "save"?, "lr"?} or {"texts", "level", "lowercase", "out"}')
    j.add_argument("--float64", action="store_true", help="compute in double precision")
    args = parser.parse_args(argv)
    if args.command == "grads":
        write_json(grads(args.checkpoint, args.batch, args.float64, args.save, args.lr), args.out)
    elif args.command == "pieces":
        with open(args.texts) as f:
            texts = json.load(f)
        write_json([pieces(x, {"level": args.level, "lowercase": args.lowercase}) for x in texts], args.out)
    else:
        with open(args.jobs) as f:
            jobs = json.load(f)
        for job in jobs:
            if "texts" in job:
                vocab = {"level": job["level"], "lowercase": job["lowercase"]}
                write_json([pieces(x, vocab) for x in job["texts"]], job["out"])
            else:
                result = grads(job["checkpoint"], job["batch"], args.float64, job.get("save"), float(job.get("lr", 0.0)))
                write_json(result, job["out"])


if __name__ == "__main__":
    main(sys.argv[1:])
