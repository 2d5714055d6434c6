#!/usr/bin/env node
// `npm test`: typecheck, lint, the Vitest projects (unit on the CPU reference, node-gpu on Dawn,
// wasm on the WebAssembly SIMD backend, browser in Chromium with WebGPU), then the Playwright e2e suite; ends with one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { CHROMIUM_HELP, findChromium } from './chromium.mjs';

const results = [];
let passed = 0;
let failed = 0;
let skipped = 0;

function run(name, cmd, args, env = {}) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: (Date.now() - t0) / 1000 });
  return ok;
}

const bin = (name) => `node_modules/.bin/${name}`;
mkdirSync('.vitest-results', { recursive: true });

run('build wasm', 'node', ['tools/build-wasm.mjs']);
run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
run('typecheck bench', bin('tsc'), ['-p', 'bench/tsconfig.json', '--noEmit']);
run('lint', bin('eslint'), ['.']);

const chromium = findChromium();
const projects = ['unit', 'node-gpu', 'wasm'];
if (chromium) projects.push('browser');
const vitestJson = '.vitest-results/vitest.json';
rmSync(vitestJson, { force: true });
run('vitest', bin('vitest'), ['run', ...projects.flatMap((p) => ['--project', p]), '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const j = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += j.numPassedTests ?? 0;
  failed += (j.numFailedTests ?? 0) + (j.numFailedTestSuites ?? 0) - 0;
  skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
}

const specs = existsSync('e2e') ? readdirSync('e2e').filter((f) => f.endsWith('.spec.ts')) : [];
if (chromium && specs.length > 0) {
  const pwJson = '.vitest-results/playwright.json';
  rmSync(pwJson, { force: true });
  run('e2e', bin('playwright'), ['test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
  if (existsSync(pwJson)) {
    const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats ?? {};
    passed += s.expected ?? 0;
    failed += (s.unexpected ?? 0) + (s.flaky ?? 0);
    skipped += s.skipped ?? 0;
  }
}

// The benchmark once in its reduced form: proves the harness (both engines in one page) works;
// no timing claims (issue 6).
if (chromium) run('bench (reduced)', bin('tsx'), ['--import', './tools/wgsl-loader.mjs', 'src/cli/bench.ts', '--reduced']);

console.log('\n=== summary');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)`);
if (!chromium) {
  console.log(`error: ${CHROMIUM_HELP}; the browser kernel tests and the e2e suite did not run`);
  results.push({ name: 'chromium', ok: false });
}
const allOk = results.every((r) => r.ok);
if (!allOk && failed === 0) failed = results.filter((r) => !r.ok).length;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(allOk ? 0 : 1);
