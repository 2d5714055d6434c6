// `npm run bench:bpe [-- --merges N] [--reps N] [--json]`: the time to train the BPE tokenizer on
// the whole Tatoeba eng-fra file (both sides, 74,470 pairs), the way a real task trains its joint
// vocabulary. The goal (issue #11): 8,000 merges in under 5 s on the project's 2-core machine.
// A benchmark, not a test: the wall time depends on the machine and its load (printed with it);
// the process's CPU time, printed beside it, much less so.

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { trainBpe, metaWords, normalizeBpeText } from '../data/bpe';
import { fail } from './backend-choice';
import { readOptions } from './options';
import { realTaskPath } from './pairs';

function main(): void {
  let options;
  try {
    options = readOptions(process.argv.slice(2), ['merges', 'reps'], ['json']);
  } catch (e) {
    fail((e as Error).message);
  }
  if (options === 'help') {
    process.stdout.write('usage: npm run bench:bpe -- [--merges N] [--reps N] [--json]\n');
    return;
  }
  const num = (name: string, dflt: number) => {
    const v = options.find((o) => o.name === name)?.value;
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) fail(`--${name} must be a whole number from 1 to 100000, not '${v}'`);
    return n;
  };
  const merges = num('merges', 8000);
  const reps = num('reps', 3);
  const load0 = loadavg()[0];
  const text = readFileSync(realTaskPath('tatoeba-eng-fra'), 'utf8');
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let learned = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    // The whole path a run takes: normalisation and word counts, then the merges.
    const counts = new Map<string, number>();
    for (const line of text.split('\n')) {
      for (const side of line.split('\t').slice(0, 2)) {
        for (const w of metaWords(normalizeBpeText(side))) counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
    learned = trainBpe(counts, { merges }).merges.length;
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const result = { bench: 'bpe-train', file: 'tatoeba-eng-fra.tsv', merges: learned, reps, median_ms: times[reps >> 1], min_ms: times[0], median_cpu_ms: cpuTimes[reps >> 1], loadavg_start: load0, loadavg_end: loadavg()[0] };
  if (options.some((o) => o.name === 'json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `BPE training, ${learned} merges on tatoeba-eng-fra.tsv (both sides): median ${(result.median_ms / 1000).toFixed(2)} s, best ${(result.min_ms / 1000).toFixed(2)} s over ${reps} runs; CPU time ${(result.median_cpu_ms / 1000).toFixed(2)} s (load average ${load0.toFixed(1)} → ${result.loadavg_end.toFixed(1)}; goal < 5 s)\n`,
    );
  }
}

main();
