// What every PyTorch parity suite shares: Node's modules loaded only under Node (the suites also
// run in the browser project, where they skip), the one-time probe whether Debian's python3 can
// import torch, running a tools/parity script on a JSON input, and the element-wise comparison.
import { expect } from 'vitest';

export const PYTHON = '/usr/bin/python3';
export const inBrowser = typeof window !== 'undefined';
export const NEEDS_NODE = `PyTorch parity needs Node (it runs ${PYTHON})`;

export type NodeModules = {
  cp: typeof import('node:child_process');
  fs: typeof import('node:fs');
  os: typeof import('node:os');
  path: typeof import('node:path');
  url: typeof import('node:url');
};

/** Node's modules, loaded only in Node (the specifiers are hidden from the browser bundler). */
export async function nodeModules(): Promise<NodeModules> {
  const load = <T>(name: string) => import(/* @vite-ignore */ name) as Promise<T>;
  return {
    cp: await load('node:child_process'),
    fs: await load('node:fs'),
    os: await load('node:os'),
    path: await load('node:path'),
    url: await load('node:url'),
  };
}

let torchProbe: Promise<string | null> | null = null;

/** null when torch imports, else why not (probed once per test process). */
export function torchMissing(m: NodeModules): Promise<string | null> {
  torchProbe ??= new Promise((resolve) => {
    m.cp.execFile(PYTHON, ['-c', 'import torch'], (err, _out, stderr) => {
      resolve(err ? `torch is not importable by ${PYTHON} (${(stderr || err.message).trim().split('\n').pop()})` : null);
    });
  });
  return torchProbe;
}

/** Runs `python3 script DIR` with DIR/input.json = `input`; returns DIR/output.json. */
export function runTorchScript<T>(m: NodeModules, script: URL, input: object): T {
  const dir = m.fs.mkdtempSync(m.path.join(m.os.tmpdir(), 'torch-parity-'));
  try {
    m.fs.writeFileSync(m.path.join(dir, 'input.json'), JSON.stringify(input));
    m.cp.execFileSync(PYTHON, [m.url.fileURLToPath(script), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    return JSON.parse(m.fs.readFileSync(m.path.join(dir, 'output.json'), 'utf8')) as T;
  } finally {
    m.fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** |a − e| ≤ rtol·|e| + atol element by element; returns the largest relative error seen, for the log. */
export function expectParity(actual: ArrayLike<number>, expected: readonly number[], what: string, rtol: number, atol: number): number {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= rtol * Math.abs(expected[i]) + atol)) expect.fail(`${what}[${i}] = ${actual[i]}, PyTorch ${expected[i]} (rtol ${rtol}, atol ${atol})`);
    worst = Math.max(worst, err / Math.max(Math.abs(expected[i]), atol / rtol));
  }
  return worst;
}
