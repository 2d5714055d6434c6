// `npm run translate -- --checkpoint FILE --text "..." [--beam N] [--backend webgpu|wasm|cpu|auto] [--json]`:
// the translation and its cross-attention alignment as a text table (rows: output tokens,
// columns: source tokens, weights in percent). Exit status 2 for bad options or files.

import { readCheckpointFile } from './checkpoint-file';
import { setDefaultBackend } from '../engine';
import { loadCheckpoint } from '../train/checkpoint';
import type { Translation } from '../train/protocol';
import { chooseBackend, fail } from './backend-choice';
import { readOptions } from './options';

export const TRANSLATE_HELP = `usage: npm run translate -- --checkpoint FILE --text "a sentence" [--beam N] [--backend webgpu|wasm|cpu|auto] [--json]

Translates one sentence with a checkpoint saved by \`npm run train -- --save FILE\` (or a file from
public/pretrained) and prints the cross-attention alignment (last decoder layer, averaged over heads).`;

interface TranslateArgs {
  checkpoint: string;
  text: string;
  beam: number;
  backend: 'webgpu' | 'wasm' | 'cpu' | 'auto';
  json: boolean;
}

export function parseTranslateArgs(argv: readonly string[]): TranslateArgs | 'help' {
  const options = readOptions(argv, ['checkpoint', 'text', 'beam', 'backend'], ['json']);
  if (options === 'help') return 'help';
  const out: Partial<TranslateArgs> = { beam: 1, backend: 'auto', json: false };
  for (const { name, value } of options) {
    if (name === 'json') out.json = true;
    else if (name === 'checkpoint') out.checkpoint = value;
    else if (name === 'text') out.text = value;
    else if (name === 'beam') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--beam must be a whole number from 1 to 64, not '${value}'`);
      out.beam = n;
    } else if (name === 'backend') {
      if (value !== 'webgpu' && value !== 'wasm' && value !== 'cpu' && value !== 'auto') throw new Error(`--backend must be webgpu, wasm, cpu or auto, not '${value}'`);
      out.backend = value;
    }
  }
  if (!out.checkpoint) throw new Error('--checkpoint FILE is required');
  if (out.text === undefined) throw new Error('--text "..." is required');
  return out as TranslateArgs;
}

/** The alignment as a fixed-width table: one row per output token, one column per source token. */
export function alignmentTable(t: Translation): string {
  // A space token (character-level tasks) is shown as ␣ so that its column can be seen.
  const shown = (s: string) => (s === ' ' ? '␣' : s);
  const cols = t.srcTokens.map((s, j) => (t.unknown[j] ? `${shown(s)}?` : shown(s)));
  const rowLabel = Math.max(...t.outTokens.map((s) => [...s].length), 3);
  const width = cols.map((c) => Math.max([...c].length, 3));
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
  const lines = [pad('', rowLabel) + ' ' + cols.map((c, j) => pad(c, width[j])).join(' ')];
  t.outTokens.forEach((o, i) => {
    const cells = cols.map((_, j) => {
      const w = t.alignment[i * cols.length + j];
      return pad(String(Math.round(w * 100)), width[j]);
    });
    lines.push(pad(shown(o), rowLabel) + ' ' + cells.join(' '));
  });
  return lines.join('\n');
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseTranslateArgs(process.argv.slice(2));
  } catch (e) {
    fail((e as Error).message);
  }
  if (args === 'help') {
    process.stdout.write(`${TRANSLATE_HELP}\n`);
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = readCheckpointFile(args.checkpoint);
  } catch (e) {
    fail(`--checkpoint: ${(e as Error).message}`);
  }
  const { backend } = await chooseBackend(args.backend);
  setDefaultBackend(backend);
  let trainer;
  try {
    trainer = loadCheckpoint(bytes, backend).trainer;
  } catch (e) {
    fail(`--checkpoint ${args.checkpoint}: ${(e as Error).message}`);
  }
  let t: Translation;
  try {
    t = await trainer.translate(0, args.text, args.beam);
  } catch (e) {
    fail(`--text: ${(e as Error).message}`);
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ text: t.text, srcTokens: t.srcTokens, outTokens: t.outTokens, unknown: t.unknown, alignment: Array.from(t.alignment) })}\n`);
  } else {
    const unknown = t.srcTokens.filter((_, j) => t.unknown[j]);
    process.stdout.write(`${t.text}\n\n${alignmentTable(t)}\n`);
    if (unknown.length) process.stdout.write(`\nnot in the vocabulary (marked ?): ${unknown.join(' ')}\n`);
  }
  if (backend.kind === 'webgpu') backend.destroy();
}

main().then(
  () => process.exit(0),
  (e: unknown) => fail((e as Error).message ?? String(e), 1),
);
