// `npm run device:bundle`: builds device-bundle/, a folder that runs the device benchmark
// (src/cli/device-bench.ts) on a machine with nothing installed but glibc: a lent GPU machine
// reached through the device tool, which copies the working tree plus `carry` paths, 64 MiB in
// all, and has no network. See DEVELOPERS.md, "Benchmarks on a lent GPU machine".
//
//   device-bundle/
//     run.sh                  the one entry point (tools/device/run.sh)
//     device-bench.mjs, *.mjs  esbuild bundle of the CLI, engine and WGSL, and its chunks (no node_modules)
//     dist/linux-x64/dawn.node  the `webgpu` package's Dawn, where its loader looks (beside the bundle)
//     node.xz, node.version   this Node binary, xz-compressed (the GPU machines have no Node)
//     gl/*.deb                the Vulkan loader and GLVND (Debian), unpacked by run.sh when missing
//     data/*.tsv              the pair file of the default training run
//
// Options: --out DIR (default device-bundle), --data FILE (default ../shared/data/tatoeba-eng-fra-2500.tsv),
// --node PATH (a self-contained Node binary; default this one). Downloads (apt-get download of the
// .deb files) and the node.xz are cached in node_modules/.cache/device-bundle.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MiB = 1 << 20;
/** What the device tool carries: working tree and carried paths together. */
const TRAVEL_LIMIT = 64 * MiB;
const MAX_DATA = 8 * MiB;
const GL_PACKAGES = ['libvulkan1', 'libglvnd0', 'libegl1', 'libgl1', 'libglx0', 'libopengl0', 'libgles2'];

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { out: join(root, 'device-bundle'), data: resolve(root, '../shared/data/tatoeba-eng-fra-2500.tsv'), node: process.execPath };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log('usage: npm run device:bundle -- [--out DIR] [--data FILE] [--node PATH]');
      process.exit(0);
    }
    const v = argv[i + 1];
    if (!['--out', '--data', '--node'].includes(a)) fail(`unknown option ${a} (try --help)`);
    if (v === undefined) fail(`${a} needs a value`);
    o[a.slice(2)] = resolve(v);
    i++;
  }
  return o;
}

const cache = join(root, 'node_modules/.cache/device-bundle');

/** Vite's `?raw` import of a .wgsl file, as the text (tools/wgsl-hooks.mjs does the same for tsx). */
const wgslRaw = {
  name: 'wgsl-raw',
  setup(b) {
    b.onResolve({ filter: /\.wgsl\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)), namespace: 'wgsl-raw' }));
    b.onLoad({ filter: /.*/, namespace: 'wgsl-raw' }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'text' }));
  },
};

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

/** A Node binary that needs only glibc and libstdc++ (official builds; Debian's links libnode.so). */
function checkNode(path) {
  const libs = execFileSync('ldd', [path], { encoding: 'utf8' });
  const foreign = libs
    .split('\n')
    .map((l) => l.trim().split(/\s/)[0])
    .filter((l) => l && !/^(linux-vdso|\/lib64\/ld-linux|lib(c|m|dl|pthread|rt|stdc\+\+|gcc_s)\.so)/.test(l));
  if (foreign.length) fail(`--node ${path} links ${foreign.join(', ')}: give a self-contained Node binary (an official build from nodejs.org)`);
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

function compressedNode(path, version) {
  mkdirSync(cache, { recursive: true });
  const cached = join(cache, `node-${version}-${statSync(path).size}.xz`);
  if (!existsSync(cached)) {
    console.error(`[bundle] compressing ${path} (${version}) with xz, once (about a minute)`);
    execFileSync('sh', ['-c', `xz -T0 -6 -c "$1" > "$2.tmp" && mv "$2.tmp" "$2"`, 'sh', path, cached], { stdio: 'inherit' });
  }
  return cached;
}

/** The Vulkan loader and GLVND as Debian amd64 packages, the way the device tool's README fetches them. */
function glPackages() {
  const dir = join(cache, 'gl');
  const have = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.deb')) : [];
  if (GL_PACKAGES.every((p) => have.some((f) => f.startsWith(`${p}_`)))) return have.map((f) => join(dir, f));
  mkdirSync(dir, { recursive: true });
  const lists = join(cache, 'apt-lists');
  mkdirSync(join(lists, 'partial'), { recursive: true });
  const o = ['-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64', `-oDir::State::Lists=${lists}`];
  console.error('[bundle] apt-get download', GL_PACKAGES.join(' '));
  try {
    execFileSync('apt-get', [...o, '-qq', 'update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('apt-get', [...o, '-qq', 'download', ...GL_PACKAGES], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (e) {
    fail(`could not download the Vulkan loader packages with apt-get (${e.message.split('\n')[0]}); put ${GL_PACKAGES.join(', ')} (.deb, amd64) in ${dir}`);
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.deb'))
    .map((f) => join(dir, f));
}

function sizeOf(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0);
}

function trackedBytes() {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  return files.reduce((n, f) => n + (existsSync(join(root, f)) ? statSync(join(root, f)).size : 0), 0);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the GPU machines are linux-x64; build the bundle there, not on ${process.platform}-${process.arch}`);
  if (!existsSync(o.data) || !statSync(o.data).isFile()) fail(`--data ${o.data}: no such file`);
  if (statSync(o.data).size > MAX_DATA) fail(`--data ${o.data}: over ${MAX_DATA / MiB} MiB; the bundle must stay small`);
  const nodeVersion = checkNode(o.node);
  const commit = gitCommit();

  rmSync(o.out, { recursive: true, force: true });
  mkdirSync(join(o.out, 'dist/linux-x64'), { recursive: true });
  mkdirSync(join(o.out, 'gl'));
  mkdirSync(join(o.out, 'data'));

  await build({
    entryPoints: [join(root, 'src/cli/device-bench.ts')],
    outdir: o.out,
    outExtension: { '.js': '.mjs' },
    // Dynamic imports become chunks beside the entry: tfjs's chunk (never loaded here) keeps its
    // imports of the packages left out, and webgpu's loads dawn.node from beside itself.
    splitting: true,
    chunkNames: '[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // tfjs is imported only when a run compares with it, which the device bench never does.
    external: ['@tensorflow/*'],
    plugins: [wgslRaw],
    define: { 'process.env.AP_BUNDLE_COMMIT': JSON.stringify(commit) },
    // CommonJS dependencies inside an ES module bundle call require().
    banner: { js: "import { createRequire as __apCreateRequire } from 'node:module'; const require = __apCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  // The `webgpu` package loads dist/<platform>-<arch>/dawn.node beside its own module, which is now the bundle.
  copyFileSync(join(root, 'node_modules/webgpu/dist/linux-x64/dawn.node'), join(o.out, 'dist/linux-x64/dawn.node'));
  copyFileSync(compressedNode(o.node, nodeVersion), join(o.out, 'node.xz'));
  writeFileSync(join(o.out, 'node.version'), `${nodeVersion}\n`);
  for (const deb of glPackages()) copyFileSync(deb, join(o.out, 'gl', basename(deb)));
  copyFileSync(o.data, join(o.out, 'data', basename(o.data)));
  copyFileSync(join(root, 'tools/device/run.sh'), join(o.out, 'run.sh'));
  execFileSync('chmod', ['+x', join(o.out, 'run.sh')]);
  writeFileSync(join(o.out, 'BUILD'), `commit ${commit}\nbuilt ${new Date().toISOString()}\nnode ${nodeVersion}\ndata data/${basename(o.data)}\n`);

  const bundle = sizeOf(o.out);
  const tree = trackedBytes();
  const mib = (n) => `${(n / MiB).toFixed(1)} MiB`;
  console.error(`[bundle] ${o.out}: ${mib(bundle)}; with the tracked working tree (${mib(tree)}) ${mib(bundle + tree)} of the device tool's ${mib(TRAVEL_LIMIT)}`);
  if (bundle + tree > TRAVEL_LIMIT) fail('the bundle and the working tree together exceed what the device tool carries');
}

main().catch((e) => fail(e.message ?? String(e)));
