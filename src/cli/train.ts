// `npm run train -- [options]`: trains with the same Trainer as the page, under Node, on WebGPU
// (Dawn) or the CPU reference backend. Exit status 0 done, 2 bad options or files, 3 non-finite.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readCheckpointFile } from './checkpoint-file';
import { backendName, setDefaultBackend } from '../engine';
import { chooseBackend, fail } from './backend-choice';
import { optionOf, parseTrainArgs, TRAIN_HELP, UsageError } from './args';
import { nonFiniteMessage, Trainer } from '../train/trainer';
import { ARCHITECTURE_FIELDS, initFromCheckpoint, loadCheckpoint, saveCheckpoint } from '../train/checkpoint';
import { readPairsFile, readRealTaskPairs } from './pairs';
import { isRealTaskName } from '../data/tasks/tatoeba';
import { DEFAULT_CONFIG, validateConfig, type RunConfig } from '../train/config';
import type { Pair } from '../data/pair';

/** The pairs of a real task (from public/data), or undefined for generated tasks. */
async function realPairs(config: RunConfig): Promise<Pair[] | undefined> {
  if (!isRealTaskName(config.task)) return undefined;
  const task = config.task;
  return readRealTaskPairs(task, config.maxLen).catch((e: Error) => fail(`task ${task}: ${e.message}`));
}

/** The config stored in a checkpoint, read before the checkpoint is loaded (to fetch its task's pairs). */
function checkpointConfig(bytes: Uint8Array): RunConfig {
  try {
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
    if (n > 0 && n <= Math.min(bytes.length - 8, 100_000_000)) {
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as { __metadata__?: { config?: string } };
      const r = validateConfig(JSON.parse(header.__metadata__?.config ?? '{}') as Record<string, unknown>);
      if (r.ok) return r.config;
    }
  } catch {
    // loadCheckpoint reports what is wrong with the file.
  }
  return DEFAULT_CONFIG;
}

function bar(done: number, total: number, width = 28): string {
  const f = total ? Math.min(1, done / total) : 1;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseTrainArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) fail(e.message);
    throw e;
  }
  const { config: cfg0, cli, given } = parsed;
  if (cli.help) {
    process.stdout.write(`${TRAIN_HELP}\n`);
    return;
  }
  const { backend, note } = await chooseBackend(cli.backend);
  setDefaultBackend(backend);
  if (note && !cli.json) process.stderr.write(`${note}\n`);

  let trainer: Trainer;
  if (cli.load) {
    let bytes: Uint8Array;
    try {
      bytes = readCheckpointFile(cli.load);
    } catch (e) {
      fail(`--load: ${(e as Error).message}`);
    }
    const conflicting = given.filter((f) => f !== 'steps');
    if (conflicting.length) fail(`--load: the checkpoint holds the configuration; only --steps (more steps to train) may go with it, not --${optionOf(conflicting[0])}`);
    const pairs = await realPairs(checkpointConfig(bytes));
    try {
      trainer = loadCheckpoint(bytes, backend, { pairs }).trainer;
    } catch (e) {
      fail(`--load ${cli.load}: ${(e as Error).message}`);
    }
    if (given.includes('steps') && !trainer.canTrain && cfg0.steps > 0) fail(`--load ${cli.load}: this checkpoint of imported pairs cannot train further without them`);
    trainer.config.steps = trainer.step + (given.includes('steps') ? cfg0.steps : 0);
  } else {
    const pairs = cli.pairs ? await readPairsFile(cli.pairs, cfg0.maxLen).catch((e: Error) => fail(`--pairs ${cli.pairs}: ${e.message}`)) : await realPairs(cfg0);
    if (cli.init) {
      const shaping = given.filter((f) => (ARCHITECTURE_FIELDS as readonly string[]).includes(f));
      if (shaping.length) fail(`--init: the model's architecture and tokenizer come from the checkpoint, not --${optionOf(shaping[0])}`);
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(cli.init);
      } catch (e) {
        fail(`--init: cannot read ${cli.init} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      try {
        trainer = await initFromCheckpoint(bytes, cfg0, backend, { pairs });
      } catch (e) {
        fail(`--init ${cli.init}: ${(e as Error).message}`);
      }
    } else {
      try {
        trainer = Trainer.create(cfg0, backend, { pairs });
      } catch (e) {
        fail((e as Error).message);
      }
    }
  }
  const config = trainer.config;
  const logEvery = cli.logEvery ?? (cli.json ? 1 : 50);
  const t0 = Date.now();
  if (!cli.json) {
    process.stderr.write(`${config.model}${config.model === 'rnn' ? `/${config.cell}` : ''} on ${config.task}: ${trainer.model.numParameters().toLocaleString()} parameters, ${backendName(backend)} (${backend.adapterName})\n`);
  }
  /** Writes the checkpoint through a temporary file, so a run killed mid-write keeps the previous one. */
  const save = async (path: string, optimizer: boolean) => {
    try {
      writeFileSync(`${path}.tmp`, await saveCheckpoint(trainer, { optimizer }));
      renameSync(`${path}.tmp`, path);
    } catch (e) {
      fail(`--save: cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  const tty = process.stderr.isTTY === true;
  let inFlight = config.steps > trainer.step ? trainer.trainStep() : null;
  let lastLoss = NaN;
  while (inFlight) {
    // A periodic save waits for its step to finish before the next one is encoded, so the
    // parameters, the optimizer state and the step it writes belong together.
    const saveDue = cli.save !== undefined && cli.saveEvery !== undefined && trainer.step % cli.saveEvery === 0 && trainer.step < config.steps;
    let next = !saveDue && trainer.step < config.steps ? trainer.trainStep() : null;
    const r = await inFlight;
    lastLoss = r.metrics.loss;
    if (r.nonFinite) {
      if (config.nonFinite === 'stop') {
        fail(nonFiniteMessage(r.metrics.step, r.nonFinite.parameter), 3);
      }
    }
    const m = r.metrics;
    if (cli.json) {
      if (m.step % logEvery === 0 || m.step === 1) {
        process.stdout.write(`${JSON.stringify({ step: m.step, loss: m.loss, lr: m.lr, gradNormPre: m.gradNormPre, gradNormPost: m.gradNormPost, ms: m.ms, tokensPerSec: m.tokensPerSec, skipped: !!r.nonFinite })}\n`);
      }
    } else if (m.step % logEvery === 0 || m.step === config.steps) {
      const line = `${bar(m.step, config.steps)} step ${m.step}/${config.steps}  loss ${m.loss.toFixed(4)}  lr ${m.lr.toExponential(2)}  |g| ${m.gradNormPre.toFixed(3)}→${m.gradNormPost.toFixed(3)}  ${Math.round(m.tokensPerSec)} tok/s  ${Math.round((Date.now() - t0) / 1000)} s`;
      process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
    }
    if (saveDue && cli.save) {
      await save(cli.save, true);
      const v = await trainer.evaluate('valid', 300);
      const line = { step: trainer.step, saved: cli.save, validLoss: v.loss, validBleu: v.bleu, validChrf: v.chrf, seconds: (Date.now() - t0) / 1000 };
      if (cli.json) process.stdout.write(`${JSON.stringify(line)}\n`);
      else process.stderr.write(`${tty ? '\n' : ''}step ${line.step}: saved ${line.saved}; valid loss ${v.loss.toFixed(4)}, BLEU ${v.bleu.toFixed(1)}, chrF ${(v.chrf ?? 0).toFixed(1)} (300 pairs)\n`);
      next = trainer.step < config.steps ? trainer.trainStep() : null;
    }
    inFlight = next;
  }
  if (!cli.json && tty) process.stderr.write('\n');
  const valid = await trainer.evaluate('valid');
  const test = await trainer.evaluate('test');
  if (cli.save) await save(cli.save, !cli.weightsOnly);
  const summary = {
    done: true,
    steps: trainer.step,
    trainLoss: lastLoss,
    validLoss: valid.loss,
    tokenAccuracy: test.tokenAccuracy,
    exactMatch: test.exactMatch,
    bleu: test.bleu,
    chrf: test.chrf,
    valid: { tokenAccuracy: valid.tokenAccuracy, exactMatch: valid.exactMatch, bleu: valid.bleu, chrf: valid.chrf },
    skippedSteps: trainer.skippedSteps,
    seconds: (Date.now() - t0) / 1000,
    backend: backendName(backend),
    adapter: backend.adapterName,
  };
  if (cli.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      [
        `steps ${summary.steps} in ${summary.seconds.toFixed(1)} s on ${summary.backend} (${summary.adapter})`,
        `train loss ${lastLoss.toFixed(4)}   valid loss ${valid.loss.toFixed(4)}`,
        `test: token accuracy ${(test.tokenAccuracy * 100).toFixed(1)}%   exact match ${(test.exactMatch * 100).toFixed(1)}%   BLEU ${test.bleu.toFixed(1)}   chrF ${(test.chrf ?? 0).toFixed(1)}`,
        cli.save ? `saved ${cli.save}` : '',
      ]
        .filter(Boolean)
        .join('\n') + '\n',
    );
  }
  if (backend.kind === 'webgpu') backend.destroy();
}

main().then(
  () => process.exit(0),
  (e: unknown) => fail((e as Error).message ?? String(e), 1),
);
