// `npm run evaluate -- --checkpoint FILE --pairs FILE [--beam K] [--backend webgpu|wasm|cpu|auto] [--json]`:
// translates every distinct source of a pair file and scores the translations against all the
// targets given for that source (multi-reference corpus BLEU, chrF, exact match). Exit status 2
// for bad options or files, with one `error: ...` line.

import { bleuTokenizerFor, groupBySource, scoreTranslations } from '../train/score';
import { backendOption, beamOption, fail, type BackendChoice } from './backend-choice';
import { openCheckpoint } from './checkpoint-file';
import { readOptions } from './options';
import { readPairsFile } from './pairs';

export const EVALUATE_HELP = `usage: npm run evaluate -- --checkpoint FILE --pairs FILE [--beam K] [--backend webgpu|wasm|cpu|auto] [--json]

Translates each distinct source sentence of a pair file (source<TAB>target[<TAB>attribution] per
line) with a checkpoint and prints corpus BLEU (sacreBLEU 13a; its zh tokenizer for Chinese),
chrF2 and exact match, every target given for a source counting as a reference.`;

interface EvaluateArgs {
  checkpoint: string;
  pairs: string;
  beam: number;
  backend: BackendChoice;
  json: boolean;
}

export function parseEvaluateArgs(argv: readonly string[]): EvaluateArgs | 'help' {
  const options = readOptions(argv, ['checkpoint', 'pairs', 'beam', 'backend'], ['json']);
  if (options === 'help') return 'help';
  const out: Partial<EvaluateArgs> = { beam: 1, backend: 'auto', json: false };
  for (const { name, value } of options) {
    if (name === 'json') out.json = true;
    else if (name === 'checkpoint') out.checkpoint = value;
    else if (name === 'pairs') out.pairs = value;
    else if (name === 'beam') out.beam = beamOption(value);
    else if (name === 'backend') out.backend = backendOption(value);
  }
  if (!out.checkpoint) throw new Error('--checkpoint FILE is required');
  if (!out.pairs) throw new Error('--pairs FILE is required');
  return out as EvaluateArgs;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseEvaluateArgs(process.argv.slice(2));
  } catch (e) {
    fail((e as Error).message);
  }
  if (args === 'help') {
    process.stdout.write(`${EVALUATE_HELP}\n`);
    return;
  }
  const { backend, trainer } = await openCheckpoint(args.checkpoint, args.backend);
  const pairsPath = args.pairs;
  const pairs = await readPairsFile(pairsPath, trainer.config.maxLen).catch((e: Error) => fail(`--pairs ${pairsPath}: ${e.message}`));
  const groups = groupBySource(pairs);
  const t0 = Date.now();
  const hyps: string[] = [];
  for (const [i, g] of groups.entries()) {
    try {
      hyps.push((await trainer.translate(i, g.src, args.beam)).text);
    } catch (e) {
      fail(`--pairs ${pairsPath}: source '${g.src.slice(0, 60)}': ${(e as Error).message}`);
    }
  }
  const refs = groups.map((g) => g.refs);
  const tokenize = bleuTokenizerFor(refs.flat());
  const s = scoreTranslations(hyps, refs, tokenize);
  const summary = { sources: groups.length, pairs: pairs.length, beam: args.beam, bleuTokenizer: tokenize, bleu: s.bleu, chrf: s.chrf, exactMatch: s.exactMatch, seconds: (Date.now() - t0) / 1000 };
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      `${groups.length} sources (${pairs.length} pairs), beam ${args.beam}: BLEU ${s.bleu.toFixed(1)} (${tokenize})   chrF ${s.chrf.toFixed(1)}   exact match ${(s.exactMatch * 100).toFixed(1)}%\n`,
    );
  }
  if (backend.kind === 'webgpu') backend.destroy();
}

main().then(
  () => process.exit(0),
  (e: unknown) => fail((e as Error).message ?? String(e), 1),
);
