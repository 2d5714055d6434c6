// Bounds on JSON from strangers (file headers, checkpoint metadata), checked before JSON.parse:
// V8 parses deeply nested text slowly (about 1.5 s for 10^6 levels of `[`), and the values built
// from it are then walked by recursive code (schemas, reviver functions). One linear scan.

export class JsonLimitError extends Error {
  override name = 'JsonLimitError';
}

/**
 * Throws JsonLimitError when `text` is longer than `maxLength` characters or nests arrays and
 * objects deeper than `maxDepth`. Brackets inside strings do not count. The text need not be
 * valid JSON: JSON.parse judges that afterwards.
 */
export function checkJsonBounds(text: string, what: string, { maxLength, maxDepth }: { maxLength: number; maxDepth: number }): void {
  if (text.length > maxLength) throw new JsonLimitError(`${what} is longer than ${maxLength.toLocaleString('en')} characters`);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) throw new JsonLimitError(`${what} nests deeper than ${maxDepth} levels`);
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
}
