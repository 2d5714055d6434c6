// `npm run export-tokenizer -- --checkpoint FILE --out tokenizer.json [--side src|tgt]`: writes a
// checkpoint's BPE tokenizer as a Hugging Face tokenizer.json (src/data/hf-tokenizer.ts). Exit
// status 2 with one `error: ...` line for bad options or files.

import { readFileSync, writeFileSync } from 'node:fs';
import { cpuBackend } from '../engine';
import { loadCheckpoint } from '../train/checkpoint';
import { toHuggingFaceTokenizerJson } from '../data/hf-tokenizer';
import { fail } from './backend-choice';
import { readOptions } from './options';

const HELP = `usage: npm run export-tokenizer -- --checkpoint FILE --out tokenizer.json [--side src|tgt]

Writes the BPE tokenizer of a checkpoint (source side by default; a joint vocabulary is the same
on both) as a Hugging Face tokenizer.json, loadable by the tokenizers libraries with the same ids.`;

function main(): void {
  let options;
  try {
    options = readOptions(process.argv.slice(2), ['checkpoint', 'out', 'side']);
  } catch (e) {
    fail((e as Error).message);
  }
  if (options === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const get = (name: string) => options.find((o) => o.name === name)?.value;
  const checkpoint = get('checkpoint');
  const out = get('out');
  const side = get('side') ?? 'src';
  if (!checkpoint) fail('--checkpoint FILE is required');
  if (!out) fail('--out FILE is required');
  if (side !== 'src' && side !== 'tgt') fail(`--side must be src or tgt, not '${side}'`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(checkpoint);
  } catch (e) {
    fail(`--checkpoint: cannot read ${checkpoint} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json;
  try {
    const { trainer } = loadCheckpoint(bytes, cpuBackend);
    json = toHuggingFaceTokenizerJson(side === 'src' ? trainer.data.srcTokenizer : trainer.data.tgtTokenizer);
    trainer.dispose();
  } catch (e) {
    fail(`--checkpoint ${checkpoint}: ${(e as Error).message}`);
  }
  try {
    writeFileSync(out, `${JSON.stringify(json)}\n`);
  } catch (e) {
    fail(`--out: cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

main();
