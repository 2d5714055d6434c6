// `npm run translate -- --checkpoint FILE --text "..." [--beam N] [--backend webgpu|wasm|cpu|auto] [--json]`:
// the translation and its cross-attention alignment as a text table (rows: output tokens,
// columns: source tokens, weights in percent). With `--input FILE` instead of --text: one
// sentence per line in, one translation per line out, same order (an empty line for an empty
// line). Exit status 2 for bad options or files.

import { readFileSync, statSync } from 'node:fs';
import { openCheckpoint } from './checkpoint-file';
import type { Translation } from '../train/protocol';
import { backendOption, beamOption, fail, type BackendChoice } from './backend-choice';
import { readOptions } from './options';

export const TRANSLATE_HELP = `usage: npm run translate -- --checkpoint FILE --text "a sentence" [--beam N] [--backend webgpu|wasm|cpu|auto] [--json]
       npm run translate -- --checkpoint FILE --input FILE [--beam N] [--backend webgpu|wasm|cpu|auto]

Translates one sentence with a checkpoint saved by \`npm run train -- --save FILE\` (or a file from
public/pretrained) and prints the cross-attention alignment (last decoder layer, averaged over heads).
With --input, translates every line of FILE (UTF-8) and prints one translation per line.`;

/** Bounds on an --input file: it comes from anyone. */
export const INPUT_LIMITS = { bytes: 16 * 1024 * 1024, lines: 100_000 } as const;

interface TranslateArgs {
  checkpoint: string;
  text?: string;
  input?: string;
  beam: number;
  backend: BackendChoice;
  json: boolean;
}

export function parseTranslateArgs(argv: readonly string[]): TranslateArgs | 'help' {
  const options = readOptions(argv, ['checkpoint', 'text', 'input', 'beam', 'backend'], ['json']);
  if (options === 'help') return 'help';
  const out: Partial<TranslateArgs> = { beam: 1, backend: 'auto', json: false };
  for (const { name, value } of options) {
    if (name === 'json') out.json = true;
    else if (name === 'checkpoint') out.checkpoint = value;
    else if (name === 'text') out.text = value;
    else if (name === 'input') out.input = value;
    else if (name === 'beam') out.beam = beamOption(value);
    else if (name === 'backend') out.backend = backendOption(value);
  }
  if (!out.checkpoint) throw new Error('--checkpoint FILE is required');
  if (out.text === undefined && out.input === undefined) throw new Error('--text "..." or --input FILE is required');
  if (out.text !== undefined && out.input !== undefined) throw new Error('--text and --input go one at a time');
  if (out.input !== undefined && out.json) throw new Error('--json goes with --text (with --input the output is one translation per line)');
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

/** The lines of an --input file (LF or CRLF; a final line end adds no empty line), within INPUT_LIMITS. */
export function readInputLines(path: string): string[] {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) fail(`--input ${path}: not a regular file`);
    if (statSync(path).size > INPUT_LIMITS.bytes) fail(`--input ${path}: larger than ${INPUT_LIMITS.bytes / 1024 / 1024} MB`);
    bytes = readFileSync(path);
  } catch (e) {
    fail(`--input: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(`--input ${path}: not valid UTF-8`);
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > INPUT_LIMITS.lines) fail(`--input ${path}: more than ${INPUT_LIMITS.lines} lines`);
  return lines;
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
  const { backend, trainer } = await openCheckpoint(args.checkpoint, args.backend);
  if (args.input !== undefined) {
    const lines = readInputLines(args.input);
    const out: string[] = [];
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') {
        out.push('');
        continue;
      }
      try {
        out.push((await trainer.translate(i, line, args.beam)).text);
      } catch (e) {
        fail(`--input ${args.input} line ${i + 1}: ${(e as Error).message}`);
      }
    }
    process.stdout.write(out.map((l) => `${l}\n`).join(''));
    if (backend.kind === 'webgpu') backend.destroy();
    return;
  }
  const text = args.text ?? '';
  let t: Translation;
  try {
    t = await trainer.translate(0, text, args.beam);
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
