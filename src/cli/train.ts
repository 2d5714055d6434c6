// `npm run train -- [options]`: trains with the same Trainer as the page, under Node, on WebGPU
// (Dawn) or the CPU reference backend. Exit status 0 done, 2 bad options or files, 3 non-finite.

import { writeFileSync } from 'node:fs';
import { readCheckpointFile } from './checkpoint-file';
import { backendName, setDefaultBackend } from '../engine';
import { chooseBackend, fail } from './backend-choice';
import { optionOf, parseTrainArgs, TRAIN_HELP, UsageError } from './args';
import { nonFiniteMessage, Trainer } from '../train/trainer';
import { loadCheckpoint, saveCheckpoint } from '../train/checkpoint';
import { readPairsFile } from './pairs';

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
    try {
      trainer = loadCheckpoint(bytes, backend).trainer;
    } catch (e) {
      fail(`--load ${cli.load}: ${(e as Error).message}`);
    }
    if (given.includes('steps') && !trainer.canTrain && cfg0.steps > 0) fail(`--load ${cli.load}: this checkpoint of imported pairs cannot train further without them`);
    trainer.config.steps = trainer.step + (given.includes('steps') ? cfg0.steps : 0);
  } else {
    const pairs = cli.pairs ? await readPairsFile(cli.pairs, cfg0.maxLen).catch((e: Error) => fail(`--pairs ${cli.pairs}: ${e.message}`)) : undefined;
    try {
      trainer = Trainer.create(cfg0, backend, { pairs });
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const config = trainer.config;
  const logEvery = cli.logEvery ?? (cli.json ? 1 : 50);
  const t0 = Date.now();
  if (!cli.json) {
    process.stderr.write(`${config.model}${config.model === 'rnn' ? `/${config.cell}` : ''} on ${config.task}: ${trainer.model.numParameters().toLocaleString()} parameters, ${backendName(backend)} (${backend.adapterName})\n`);
  }
  let inFlight = config.steps > trainer.step ? trainer.trainStep() : null;
  let lastLoss = NaN;
  while (inFlight) {
    const next = trainer.step < config.steps ? trainer.trainStep() : null;
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
      process.stderr.write(`\r${bar(m.step, config.steps)} step ${m.step}/${config.steps}  loss ${m.loss.toFixed(4)}  |g| ${m.gradNormPre.toFixed(3)}→${m.gradNormPost.toFixed(3)}  ${Math.round(m.tokensPerSec)} tok/s   `);
    }
    inFlight = next;
  }
  if (!cli.json) process.stderr.write('\n');
  const valid = await trainer.evaluate('valid');
  const test = await trainer.evaluate('test');
  if (cli.save) {
    try {
      writeFileSync(cli.save, await saveCheckpoint(trainer, { optimizer: !cli.weightsOnly }));
    } catch (e) {
      fail(`--save: cannot write ${cli.save} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const summary = {
    done: true,
    steps: trainer.step,
    trainLoss: lastLoss,
    validLoss: valid.loss,
    tokenAccuracy: test.tokenAccuracy,
    exactMatch: test.exactMatch,
    bleu: test.bleu,
    valid: { tokenAccuracy: valid.tokenAccuracy, exactMatch: valid.exactMatch, bleu: valid.bleu },
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
        `test: token accuracy ${(test.tokenAccuracy * 100).toFixed(1)}%   exact match ${(test.exactMatch * 100).toFixed(1)}%   BLEU ${test.bleu.toFixed(1)}`,
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
