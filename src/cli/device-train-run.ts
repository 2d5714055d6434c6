// One real-data training run for the device benchmark: the train CLI's options (its own parser,
// so `--task`, `--pairs FILE`, `--model`, `--steps` ... mean what they mean there), trained with
// the Trainer the worker and the CLI use, one step in flight while the next is encoded. Reports
// throughput from wall time (steps after the warm-up, which compiles the pipelines and fills the
// buffer pool) and the held-out scores at the end.

import { type Backend } from '../engine';
import { Trainer } from '../train/trainer';
import { parseTrainArgs } from './args';
import { readPairsFile } from './pairs';

export interface TrainRunResult {
  args: string[];
  task: string;
  pairs_file: string | null;
  model: string;
  params: number;
  batch: number;
  steps: number;
  /** Why the run ended before its configured steps (the wall-time cap), if it did. */
  stopped_early: string | null;
  seconds: number;
  /** Steps excluded from the throughput figures (pipeline compilation, pool warm-up). */
  warmup_steps: number;
  /** Wall ms per step over the steps after the warm-up, with one step in flight while the next is encoded. */
  ms_per_step: number | null;
  /** Target tokens per second over the same steps. */
  tokens_per_s: number | null;
  loss_first: number;
  loss_last: number;
  skipped_steps: number;
  valid: { loss: number; token_accuracy: number; exact_match: number; bleu: number };
  test: { loss: number; token_accuracy: number; exact_match: number; bleu: number };
}

export interface TrainRunOptions {
  /** Train CLI options, e.g. ['--pairs', 'data/x.tsv', '--model', 'transformer', '--steps', '400']. */
  args: string[];
  /** Wall-time cap in seconds: the run stops after the step that crosses it. */
  maxSeconds: number;
  warmupSteps?: number;
  log: (line: string) => void;
}

const scores = (m: { loss: number; tokenAccuracy: number; exactMatch: number; bleu: number }) => ({
  loss: m.loss,
  token_accuracy: m.tokenAccuracy,
  exact_match: m.exactMatch,
  bleu: m.bleu,
});

/** Throws with a one-line message on bad options or an unreadable pair file. */
export async function trainRun(backend: Backend, options: TrainRunOptions): Promise<TrainRunResult> {
  const { config, cli } = parseTrainArgs(options.args);
  if (cli.load || cli.save) throw new Error('the device training run takes no --load or --save');
  const pairs = cli.pairs ? await readPairsFile(cli.pairs, config.maxLen).catch((e: Error) => Promise.reject(new Error(`--pairs ${cli.pairs}: ${e.message}`))) : undefined;
  const trainer = Trainer.create(config, backend, { pairs });
  try {
    const warmup = Math.min(options.warmupSteps ?? 5, Math.max(0, config.steps - 1));
    options.log(`[train] ${config.model}${config.model === 'rnn' ? `/${config.cell}` : ''} on ${cli.pairs ?? config.task}: ${trainer.model.numParameters()} parameters, ${config.steps} steps`);
    const t0 = performance.now();
    let tWarm = t0;
    let tokensAfterWarmup = 0;
    let first = NaN;
    let last = NaN;
    let stoppedEarly: string | null = null;
    let inFlight = config.steps > 0 ? trainer.trainStep() : null;
    while (inFlight) {
      const overTime = (performance.now() - t0) / 1000 > options.maxSeconds;
      if (overTime && !stoppedEarly && trainer.step < config.steps) stoppedEarly = `wall-time cap of ${options.maxSeconds} s`;
      const next = trainer.step < config.steps && !stoppedEarly ? trainer.trainStep() : null;
      const r = await inFlight;
      const m = r.metrics;
      if (m.step === 1) first = m.loss;
      last = m.loss;
      if (m.step === warmup) tWarm = performance.now();
      else if (m.step > warmup) tokensAfterWarmup += (m.tokensPerSec * m.ms) / 1000;
      if (m.step % 50 === 0) options.log(`[train] step ${m.step}  loss ${m.loss.toFixed(4)}  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      inFlight = next;
    }
    const tEnd = performance.now();
    const timed = trainer.step - warmup;
    const valid = await trainer.evaluate('valid');
    const test = await trainer.evaluate('test');
    return {
      args: options.args,
      task: config.task,
      pairs_file: cli.pairs ?? null,
      model: config.model === 'rnn' ? `rnn/${config.cell}` : config.model,
      params: trainer.model.numParameters(),
      batch: config.batch,
      steps: trainer.step,
      stopped_early: stoppedEarly,
      seconds: (tEnd - t0) / 1000,
      warmup_steps: warmup,
      ms_per_step: timed > 0 ? (tEnd - tWarm) / timed : null,
      tokens_per_s: timed > 0 ? (tokensAfterWarmup / (tEnd - tWarm)) * 1000 : null,
      loss_first: first,
      loss_last: last,
      skipped_steps: trainer.skippedSteps,
      valid: scores(valid),
      test: scores(test),
    };
  } finally {
    trainer.dispose();
  }
}
