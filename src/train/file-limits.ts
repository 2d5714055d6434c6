// Size limits of the files the page and the CLI read whole (File.arrayBuffer, readFileSync), checked
// against File.size or stat before a byte is read: a file someone sent may be any size, and
// reading 10 GB would take the tab or the process down. No engine code here: the page imports it.

const GiB = 2 ** 30;

export const FILE_LIMITS = {
  /** A .safetensors checkpoint (weights, optimizer state, config, vocabularies). */
  checkpointBytes: 2 * GiB,
  /** An exported run: a checkpoint plus curves, attention snapshots and the pairs of a custom task. */
  runFileBytes: 2 * GiB,
} as const;

const size = (bytes: number) => (bytes >= GiB ? `${+(bytes / GiB).toFixed(1)} GiB` : `${+(bytes / 2 ** 20).toFixed(1)} MiB`);

function tooBig(what: string, bytes: number, max: number): string | null {
  return bytes > max ? `${what}: the file has ${size(bytes)}, more than the ${size(max)} it may have` : null;
}

/** The one-line refusal of a checkpoint file of `bytes` bytes, before it is read; null when it may be read. */
export const checkpointSizeError = (bytes: number) => tooBig('checkpoint', bytes, FILE_LIMITS.checkpointBytes);

/** The one-line refusal of a run file of `bytes` bytes, before it is read; null when it may be read. */
export const runFileSizeError = (bytes: number) => tooBig('run file', bytes, FILE_LIMITS.runFileBytes);
