// The training runs behind issue 4's acceptance (docs/results.md), as data: the `npm run train`
// arguments of each and the goal its test split must reach. src/cli/acceptance.ts runs them; the
// pure parts (selection, goals, the table) live here so that they can be tested without training.

export interface Goal {
  /** Minimum test exact match, a fraction. */
  exactMatch: number;
  /** Minimum test corpus BLEU (0–100), when the issue sets one. */
  bleu?: number;
}

export interface AcceptanceRun {
  name: string;
  /** What the run is, for the table. */
  model: string;
  /** `npm run train` arguments, without --json / --log-every / --backend (the runner adds them). */
  args: readonly string[];
  goal: Goal;
}

/** The last line of `npm run train -- --json`. */
export interface DoneLine {
  done: true;
  steps: number;
  exactMatch: number;
  bleu: number;
  tokenAccuracy: number;
  seconds: number;
  backend: string;
  adapter: string;
}

/** The RNN runs: one layer, hidden 64, Luong general scoring; the IndRNNs need more steps. */
const RNN = ['--task', 'dates', '--model', 'rnn', '--layers', '1', '--hidden', '64', '--embed', '32', '--batch', '32', '--lr', '0.005', '--warmup', '50'];
const CELL_STEPS = { lstm: 1000, gru: 1000, janet: 1000, indrnn: 2500, indrnn2: 2500 } as const;

export const ACCEPTANCE_RUNS: readonly AcceptanceRun[] = [
  { name: 'dates-default-transformer', model: 'default Transformer', args: ['--task', 'dates', '--steps', '3000'], goal: { exactMatch: 0.98 } },
  { name: 'eng-fra-default-transformer', model: 'default Transformer', args: ['--task', 'eng-fra', '--steps', '2000'], goal: { exactMatch: 0.9, bleu: 85 } },
  ...Object.entries(CELL_STEPS).map(([cell, steps]) => ({
    name: `dates-rnn-${cell}`,
    model: `RNN + attention, ${cell}`,
    args: [...RNN, '--cell', cell, '--steps', String(steps)],
    goal: { exactMatch: 0.9 },
  })),
];

/** The runs named in `only` (all when it is empty); an unknown name is an error naming the known ones. */
export function selectRuns(only: readonly string[]): AcceptanceRun[] {
  if (only.length === 0) return [...ACCEPTANCE_RUNS];
  const known = new Map(ACCEPTANCE_RUNS.map((r) => [r.name, r]));
  return only.map((name) => {
    const run = known.get(name);
    if (!run) throw new Error(`--only: no run named '${name}' (runs: ${[...known.keys()].join(', ')})`);
    return run;
  });
}

/** A run's arguments with `--steps` replaced (for a quick check of the harness). */
export function withSteps(args: readonly string[], steps: number | undefined): string[] {
  if (steps === undefined) return [...args];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--steps') i++;
    else out.push(args[i]);
  }
  return [...out, '--steps', String(steps)];
}

export function goalMet(goal: Goal, done: DoneLine): boolean {
  return done.exactMatch >= goal.exactMatch && (goal.bleu === undefined || done.bleu >= goal.bleu);
}

export function describeGoal(goal: Goal): string {
  return `exact match ≥ ${Number((goal.exactMatch * 100).toFixed(1))} %${goal.bleu === undefined ? '' : `, BLEU ≥ ${goal.bleu}`}`;
}

/** One Markdown row per run: a run that failed shows its error in place of the scores. */
export function resultsTable(rows: readonly { run: AcceptanceRun; done?: DoneLine; error?: string }[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = ['| run | model | steps | wall time | test exact match | test BLEU | goal | met | backend |', '|---|---|---:|---:|---:|---:|---|---|---|'];
  for (const { run, done, error } of rows) {
    const goal = describeGoal(run.goal);
    if (!done) {
      lines.push(`| ${run.name} | ${run.model} | — | — | — | — | ${goal} | failed: ${error ?? 'no result'} | — |`);
      continue;
    }
    const minutes = `${(done.seconds / 60).toFixed(1)} min`;
    lines.push(
      `| ${run.name} | ${run.model} | ${done.steps} | ${minutes} | ${pct(done.exactMatch)} | ${done.bleu.toFixed(1)} | ${goal} | ${goalMet(run.goal, done) ? 'yes' : '**no**'} | ${done.backend} (${done.adapter}) |`,
    );
  }
  return lines.join('\n');
}
