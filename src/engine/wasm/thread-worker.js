// One helper thread of the WebAssembly backend's pool (src/engine/wasm/pool.ts): a Web Worker in
// the page, a worker_threads Worker in Node. Plain JavaScript so that both load it as it is.
// It instantiates the kernels over the shared memory, then waits on the job counter; for each
// job it runs its share of the work items and counts itself done. The protocol (indices into
// the control array, the job layout) is described in pool.ts.

const GEN = 0;
const DONE = 1;
const STOP = 2;
// Job layout in the f64 argument array: [fn, nArgs, itemArg, items, scratchArg, scratchStride, ...args].
const HEAD = 6;

async function serve(init, post) {
  const { bytes, memory, ctrl: ctrlBuf, args: argsBuf, index, threads, names } = init;
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort: () => {
        throw new Error('WebAssembly kernel aborted');
      },
    },
  });
  const ctrl = new Int32Array(ctrlBuf);
  const job = new Float64Array(argsBuf);
  const fns = names.map((n) => instance.exports[n]);
  post('ready');
  let seen = Atomics.load(ctrl, GEN);
  for (;;) {
    Atomics.wait(ctrl, GEN, seen);
    seen = Atomics.load(ctrl, GEN);
    if (Atomics.load(ctrl, STOP)) return;
    const n = job[1];
    const args = Array.from(job.subarray(HEAD, HEAD + n));
    const items = job[3];
    args[job[2]] = Math.floor((items * index) / threads);
    args[job[2] + 1] = Math.floor((items * (index + 1)) / threads);
    if (job[4] >= 0) args[job[4]] += index * job[5];
    if (args[job[2]] < args[job[2] + 1]) fns[job[0]](...args);
    Atomics.add(ctrl, DONE, 1);
    Atomics.notify(ctrl, DONE);
  }
}

if (typeof process !== 'undefined' && process.versions && process.versions.node && typeof self === 'undefined') {
  const { parentPort } = await import('node:worker_threads');
  parentPort.once('message', (init) => serve(init, (m) => parentPort.postMessage(m)));
} else {
  self.onmessage = (e) => {
    self.onmessage = null;
    serve(e.data, (m) => self.postMessage(m));
  };
}
