// Reading the learner's pair file in the page with the data layer's streaming parser
// (src/data/pairs-file.ts, the same one the CLI uses). Chunks are handed over one macrotask at a
// time, so parsing a large Tatoeba / Anki export never blocks the page for long.

import { PairsFileError, pairFileSizeError, parsePairsStream, readableStreamChunks, type PairsFileResult } from '../../data/pairs-file';
import { useData } from './data-store';

async function* yielding(chunks: AsyncIterable<Uint8Array>, onChunk: (c: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    yield c;
    onChunk(c);
    await new Promise((r) => setTimeout(r, 0));
  }
}

/**
 * A parser error as the page lists it: the page writes "line N: …" itself, so a message that
 * already starts with "line N " (the CLI's wording) loses that start instead of saying it twice.
 */
export function lineErrorOf(e: PairsFileError): { line: number; message: string } {
  const line = e.line ?? 0;
  const prefix = `line ${line} `;
  return { line, message: line > 0 && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message };
}

/** Streams a File into the data store; a file the parser refuses leaves its error (with line) in the store. */
export async function importPairFile(file: File): Promise<PairsFileResult | null> {
  useData.getState().begin(file.name);
  const tooBig = pairFileSizeError(file.size);
  if (tooBig) {
    useData.getState().failed(tooBig);
    return null;
  }
  let bytes = 0;
  try {
    const result = await parsePairsStream(
      yielding(readableStreamChunks(file.stream()), (c) => useData.getState().progress((bytes += c.byteLength))),
    );
    useData.getState().done(result.pairs, [], result.lines, result.skipped);
    return result;
  } catch (e) {
    if (e instanceof PairsFileError) useData.getState().done([], [lineErrorOf(e)], 0, null);
    else useData.getState().failed((e as Error).message);
    return null;
  }
}
