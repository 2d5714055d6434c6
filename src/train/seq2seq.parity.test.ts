// Parity of both encoder–decoders with their PyTorch versions in tools/parity/seq2seq.py, through
// a real checkpoint: a Trainer is built from a tiny config and trained two steps (so biases and
// norms are no longer at their initial values), saved with saveCheckpoint, and a batch of four
// pairs of different lengths (padding in the source, the targets and the loss) is exported as
// JSON, with the pairs themselves (the script's make_batch must rebuild the same arrays). Debian's
// python3-torch loads the .safetensors file, rebuilds the model from the config in its metadata and
// computes the teacher-forced loss and every parameter gradient in float64. We load the same file
// on the CPU backend in float32 (relative error ≤ 1e-4) and in float64 (≤ 1e-9: only the order of
// the sums differs) and compare the loss and every gradient, element by element. The script also
// takes one SGD step and writes a checkpoint, which loadCheckpoint must accept with exactly those
// parameters (continuing training in PyTorch and coming back), and its port of the tokenizer must
// split texts as ours does. One Python process runs every case (torch is imported once).
// Node only (it spawns /usr/bin/python3); skipped with a reason when torch is missing.
import { afterAll, describe, expect, it } from 'vitest';
import { backward, CpuBackend, cpuBackend, fromData, reshape, tidy, toArray, toNumbers, type Backend, type Tensor } from '../engine';
import { crossEntropy } from '../engine/ops/cross-entropy';
import { TASKS, TASK_NAMES } from '../data/tasks';
import { normalizeText, splitChars, splitWords, type TokenizerLevel } from '../data/tokenizer';
import { IGNORE_INDEX, makeBatch, type EncodedPair, type HostBatch } from './batches';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { validateConfig, type RunConfig } from './config';
import { sourceBatchOf } from './decode';
import { readSafetensors } from './safetensors';
import { Trainer } from './trainer';
import { expectParity, inBrowser, NEEDS_NODE, nodeModules, PYTHON, torchMissing, type NodeModules } from '../engine/testing/torch-parity';

interface TorchResult {
  loss: number;
  grads: Record<string, number[]>;
  torch: string;
}

/** `seq2seq.py jobs`: every case in one process, so torch is imported once. */
function runTorch(m: NodeModules, jobsFile: string): Promise<void> {
  const script = m.url.fileURLToPath(new URL('../../tools/parity/seq2seq.py', import.meta.url));
  return new Promise((resolve, reject) => {
    m.cp.execFile(PYTHON, [script, 'jobs', jobsFile, '--float64'], (err, _stdout, stderr) => {
      if (err) reject(new Error(`seq2seq.py failed: ${stderr || err.message}`));
      else resolve();
    });
  });
}


const BASE: Partial<RunConfig> = {
  task: 'sort',
  seed: 3,
  maxLen: 14,
  layers: 2,
  dModel: 16,
  heads: 2,
  dFF: 24,
  hidden: 8,
  embed: 6,
  dropout: 0,
  optimizer: 'adam',
  lr: 0.02,
  schedule: 'constant',
  warmup: 0,
  batch: 8,
  clip: 'none',
  teacherForcing: 1,
  evalEvery: 1000,
  probeEvery: 1000,
};

const CASES: { name: string; config: Partial<RunConfig> }[] = [
  { name: 'transformer, post-LN, sinusoidal positions, untied generator', config: { model: 'transformer', norm: 'post', positional: 'sinusoidal', tieEmbeddings: false } },
  { name: 'transformer, pre-LN, learned positions, tied generator, label smoothing 0.1', config: { model: 'transformer', norm: 'pre', positional: 'learned', tieEmbeddings: true, labelSmoothing: 0.1 } },
  { name: 'transformer, pre-LN, sinusoidal positions, untied generator', config: { model: 'transformer', norm: 'pre', positional: 'sinusoidal', tieEmbeddings: false, layers: 1 } },
  { name: 'transformer, post-LN, learned positions, tied generator', config: { model: 'transformer', norm: 'post', positional: 'learned', tieEmbeddings: true, layers: 1 } },
  {
    name: 'transformer, hard attention top-2, post-LN, sinusoidal',
    config: { model: 'transformer', norm: 'post', positional: 'sinusoidal', attention: 'hard', hardKind: 'topk', hardK: 2, layers: 1 },
  },
  { name: 'rnn, lstm, 2 layers, bidirectional, additive', config: { model: 'rnn', cell: 'lstm', bidirectional: true, scoring: 'additive' } },
  { name: 'rnn, gru, unidirectional, dot', config: { model: 'rnn', cell: 'gru', bidirectional: false, scoring: 'dot' } },
  { name: 'rnn, janet, bidirectional, general', config: { model: 'rnn', cell: 'janet', bidirectional: true, scoring: 'general' } },
  { name: 'rnn, indrnn, 1 layer, unidirectional, additive', config: { model: 'rnn', cell: 'indrnn', layers: 1, bidirectional: false, scoring: 'additive' } },
  {
    name: 'rnn, indrnn2, bidirectional with odd hidden 7 (encoder_proj), general, label smoothing 0.2',
    config: { model: 'rnn', cell: 'indrnn2', hidden: 7, bidirectional: true, scoring: 'general', labelSmoothing: 0.2 },
  },
  {
    name: 'rnn, gru, bidirectional, additive, hard attention threshold 0.2',
    config: { model: 'rnn', cell: 'gru', layers: 1, bidirectional: true, scoring: 'additive', attention: 'hard', hardKind: 'threshold', hardThreshold: 0.2 },
  },
];

/** Four training pairs with different source and target lengths, so every row but one is padded. */
function pickPairs(train: readonly EncodedPair[]): number[] {
  const picked: number[] = [];
  const want = [3, 7, 5, 10];
  for (const n of want) {
    const i = train.findIndex((p) => p.src.length === n && p.tgt.length === n);
    if (i < 0) throw new Error(`no training pair of length ${n}`);
    picked.push(i);
  }
  return picked;
}

/** The loss and every parameter gradient of `hb`, as Trainer.batchLoss computes the loss (teacher forcing 1). */
function ourGradients(trainer: Trainer, hb: HostBatch): { loss: number; grads: Map<string, number[]> } {
  const b = trainer.backend;
  const model = trainer.model;
  model.train();
  const source = sourceBatchOf(hb, b);
  const tgtIn = fromData(hb.tgtIn, [hb.size, hb.tgtLen], 'i32', b);
  const tgtOut = fromData(hb.tgtOut, [hb.size * hb.tgtLen], 'i32', b);
  const loss = tidy(() => {
    const enc = model.encode(source, { seed: 1 });
    const { logits } = model.decode(enc, tgtIn, { seed: 1, teacherForcing: 1 });
    const l = crossEntropy(reshape(logits, [-1, model.tgtVocab]), tgtOut, { ignoreIndex: IGNORE_INDEX, labelSmoothing: trainer.config.labelSmoothing });
    backward(l);
    return l;
  });
  // toNumbers: full precision on the float64 backend (toArray would round to float32).
  const grads = new Map<string, number[]>();
  for (const [n, p] of model.namedParameters()) {
    if (!p.grad) throw new Error(`no gradient for ${n}`);
    grads.set(n, toNumbers(p.grad));
  }
  const [value] = toNumbers(loss);
  for (const t of [loss, source.src, source.srcMask, tgtIn, tgtOut] as Tensor[]) t.dispose();
  return { loss: value, grads };
}

const cpu64 = new CpuBackend({ float64: true });
const PRECISIONS: { name: string; backend: Backend; rtol: number; atol: number }[] = [
  { name: 'float32', backend: cpuBackend, rtol: 1e-4, atol: 1e-6 },
  { name: 'float64', backend: cpu64, rtol: 1e-9, atol: 1e-13 },
];
/** Learning rate of the SGD step the script takes before saving (large enough to move every weight visibly). */
const SGD_LR = 0.5;

/**
 * Texts for the tokenizer port (seq2seq.py's pieces/encode): every task's examples, generated
 * sentences of the natural-language tasks, and the cases the word rules single out.
 */
function tokenizerTexts(): string[] {
  const texts: string[] = [];
  for (const name of TASK_NAMES) {
    texts.push(...TASKS[name].examples);
    if (name === 'eng-fra' || name === 'eng-zh' || name === 'dates') {
      for (const p of TASKS[name].generate(5, { train: 60, valid: 0, test: 0 }).train) texts.push(p.src, p.tgt);
    }
  }
  texts.push(
    "Don't go — aujourd'hui j’ai 3.14 € at 10:30, peut-être… «Oui» ¿Qué? ¡Sí!",
    'a--b -x x- 1.a a.1 1,000,000.50 1:2:3 x:y',
    'Cafe\u0301 CAFÉ \u00a0tab\there\nline\u3000ideographic\ufeffbom  ',
    'İSTANBUL ΟΔΟΣ ΣΊΣΥΦΟΣ Straße',
    '我爱你。你好，世界！ mixed中文text 123個 〇一二',
    'カタカナー ｶﾀｶﾅ ひらがな ＡＢＣ１２３',
    '👍🏽 👨‍👩‍👧 🇫🇷🇩🇪🇺 🏴󠁧󠁢󠁳󠁣󠁴󠁿 ❤️ x\u0308y',
    '',
  );
  return texts;
}

const TOKENIZER_SETTINGS: { level: TokenizerLevel; lowercase: boolean }[] = [
  { level: 'word', lowercase: true },
  { level: 'word', lowercase: false },
  { level: 'char', lowercase: false },
  { level: 'char', lowercase: true },
];

interface Prepared {
  bytes: Uint8Array;
  hb: HostBatch;
  /** Where the script writes its result and its SGD-step checkpoint. */
  out: string;
  saved: string;
}

interface Suite {
  cases: Prepared[];
  texts: string[];
  /** The script's pieces of `texts`, one file per TOKENIZER_SETTINGS entry. */
  piecesOut: string[];
  /** Resolves when the script has written every case's result. */
  torch: Promise<void>;
}

let suite: Promise<Suite | string> | null = null;
let suiteDir: string | null = null;

/**
 * Every case's checkpoint and batch, written to a temporary folder, and the one PyTorch run over
 * them started in the background; or why the suite is skipped. Built by the first test that runs.
 */
function prepare(): Promise<Suite | string> {
  suite ??= (async () => {
    if (inBrowser) return NEEDS_NODE;
    const m = await nodeModules();
    const missing = await torchMissing(m);
    if (missing) return missing;
    const dir = m.fs.mkdtempSync(m.path.join(m.os.tmpdir(), 'seq2seq-parity-'));
    suiteDir = dir;
    const cases: Prepared[] = [];
    const jobs: object[] = [];
    for (const [k, c] of CASES.entries()) {
      const cfg = validateConfig({ ...BASE, ...c.config });
      if (!cfg.ok) throw new Error(`${c.name}: ${JSON.stringify(cfg.errors)}`);
      const trainer = Trainer.create(cfg.config, cpuBackend);
      for (let i = 0; i < 2; i++) await trainer.trainStep();
      const bytes = await saveCheckpoint(trainer);
      const indices = pickPairs(trainer.data.train);
      const hb = makeBatch(trainer.data.train, indices);
      const pairs = indices.map((i) => trainer.data.train[i]);
      trainer.dispose();
      const file = (what: string) => m.path.join(dir, `${k}-${what}`);
      m.fs.writeFileSync(file('model.safetensors'), bytes);
      // Both the batch arrays and the pairs: the script checks that its make_batch rebuilds the same batch.
      m.fs.writeFileSync(
        file('batch.json'),
        JSON.stringify({
          size: hb.size,
          srcLen: hb.srcLen,
          tgtLen: hb.tgtLen,
          src: Array.from(hb.src),
          srcLengths: hb.srcLengths,
          tgtIn: Array.from(hb.tgtIn),
          tgtOut: Array.from(hb.tgtOut),
          pairs,
        }),
      );
      cases.push({ bytes, hb, out: file('torch.json'), saved: file('sgd.safetensors') });
      jobs.push({ checkpoint: file('model.safetensors'), batch: file('batch.json'), out: file('torch.json'), save: file('sgd.safetensors'), lr: SGD_LR });
    }
    const texts = tokenizerTexts();
    const piecesOut = TOKENIZER_SETTINGS.map((_, k) => m.path.join(dir, `pieces-${k}.json`));
    TOKENIZER_SETTINGS.forEach((t, k) => jobs.push({ texts, level: t.level, lowercase: t.lowercase, out: piecesOut[k] }));
    const jobsFile = m.path.join(dir, 'jobs.json');
    m.fs.writeFileSync(jobsFile, JSON.stringify(jobs));
    const torch = runTorch(m, jobsFile);
    torch.catch(() => {}); // reported by the tests that await it
    return { cases, texts, piecesOut, torch };
  })();
  return suite;
}

async function parityCase(m: NodeModules, s: Suite, k: number): Promise<void> {
  const { bytes, hb } = s.cases[k];
  const ours: { loss: number; grads: Map<string, number[]> }[] = [];
  let before: Map<string, Float32Array> | null = null;
  for (const p of PRECISIONS) {
    const { trainer } = loadCheckpoint(bytes, p.backend);
    if (!before) {
      before = new Map();
      for (const [n, t] of trainer.model.namedParameters()) before.set(n, Float32Array.from(await toArray(t)));
    }
    ours.push(ourGradients(trainer, hb));
    trainer.dispose();
  }
  await s.torch;
  const ref = JSON.parse(m.fs.readFileSync(s.cases[k].out, 'utf8')) as TorchResult;

  const logs: string[] = [];
  PRECISIONS.forEach((p, i) => {
    const { loss, grads } = ours[i];
    expect(Object.keys(ref.grads).sort()).toEqual([...grads.keys()].sort());
    const lossErr = expectParity([loss], [ref.loss], `${p.name} loss`, p.rtol, p.atol);
    let worst = 0;
    let worstName = '';
    for (const [n, g] of grads) {
      const e = expectParity(g, ref.grads[n], `${p.name} ∂${n}`, p.rtol, p.atol);
      if (e >= worst) [worst, worstName] = [e, n];
    }
    logs.push(`${p.name}: loss ${lossErr.toExponential(1)}, gradients ${worst.toExponential(1)} (${worstName})`);
  });

  // The SGD step written by the script: p − lr·∂p (PyTorch's float64 gradient), stored as float32.
  const { trainer: back } = loadCheckpoint(m.fs.readFileSync(s.cases[k].saved), cpuBackend);
  expect(back.step).toBe(Number(readSafetensors(bytes).metadata.step) + 1);
  for (const [n, t] of back.model.namedParameters()) {
    const old = before!.get(n)!;
    const expected = Array.from(old, (v, i) => Math.fround(v - SGD_LR * ref.grads[n][i]));
    expectParity(await toArray(t), expected, `saved ${n}`, 2 ** -22, 1e-30);
  }
  back.dispose();
  console.log(`[seq2seq parity] torch ${ref.torch}, ${CASES[k].name}: loss ${ref.loss.toFixed(4)}; max relative error ${logs.join('; ')}`);
}

describe('Seq2seq parity with tools/parity/seq2seq.py (PyTorch) through a checkpoint, CPU backend', () => {
  afterAll(async () => {
    if (!suiteDir) return;
    const m = await nodeModules();
    m.fs.rmSync(suiteDir, { recursive: true, force: true });
  });
  CASES.forEach((c, k) => {
    it(`${c.name}: loss and every parameter gradient, float32 and float64; the script's SGD step loads back`, async (ctx) => {
      const s = await prepare();
      if (typeof s === 'string') ctx.skip(s);
      else await parityCase(await nodeModules(), s, k);
    });
  });
  TOKENIZER_SETTINGS.forEach((t, k) => {
    it(`the script's tokenizer splits like ours (${t.level} level${t.lowercase ? ', lower-cased' : ''}): every task's examples and sentences, tricky cases`, async (ctx) => {
      const s = await prepare();
      if (typeof s === 'string') ctx.skip(s);
      else {
        const m = await nodeModules();
        await s.torch;
        const theirs = JSON.parse(m.fs.readFileSync(s.piecesOut[k], 'utf8')) as string[][];
        const ours = s.texts.map((x) => (t.level === 'word' ? splitWords : splitChars)(normalizeText(x, t.lowercase)));
        expect(theirs).toEqual(ours);
      }
    });
  });
});
