// Parameter-group patterns (the `clipGroup` field): which dotted parameter names a gradient
// hook applies to. The pattern comes from strangers (a shared link, an imported run file), so it
// is matched in time linear in the name whatever it says:
//
//   ''                    every parameter
//   '/regex/flags'        a regular expression found anywhere in the name (like JS's re.test),
//                         run by re2js (RE2: a Thompson-NFA/DFA matcher, no backtracking, so
//                         O(|pattern| · |name|)). RE2 syntax is JavaScript's minus backreferences
//                         and lookaround; flags i, m, s (u is accepted and changes nothing).
//   'encoder.*.self_attn.*'  a glob over the whole name when the pattern has * or ?: * is any run
//                         of characters (dots included), ? one character. Translated to RE2 syntax
//                         and run by re2js as well.
//   anything else         a substring of the name (the original meaning, kept).
//
// JavaScript's own RegExp is never used on the pattern: `/^(\w+\.?)+$_/` takes it more than 20 s
// on a 55-character name (catastrophic backtracking), re2js about a millisecond.

import { RE2JS, RE2JSException } from 're2js';

/** The longest pattern accepted (the config field's limit too). */
export const MAX_GROUP_PATTERN_LENGTH = 200;
/**
 * The largest compiled program accepted, in RE2 instructions. Matching costs instructions ×
 * name length per name; RE2 already refuses repeat counts over 1000, and this caps the product of
 * several (`\w{1000}\w{1000}…`) so that a pattern costs at most a few milliseconds per model.
 */
export const MAX_GROUP_PROGRAM_SIZE = 5000;

export type ParamGroupPattern = { ok: true; kind: 'all' | 'substring' | 'glob' | 'regex'; matches: (name: string) => boolean } | { ok: false; message: string };

/** '/source/flags' split at its last slash, when the flags are letters only; else null (a substring or glob). */
function regexForm(pattern: string): { source: string; flags: string } | null {
  const last = pattern.lastIndexOf('/');
  if (!pattern.startsWith('/') || last < 1) return null;
  const flags = pattern.slice(last + 1);
  for (const ch of flags) if (ch < 'a' || ch > 'z') return null;
  return { source: pattern.slice(1, last), flags };
}

/** RE2 flag bits for the JS-style flags of a /regex/flags pattern, or the message for a bad one. */
function re2Flags(flags: string): number | string {
  let bits = 0;
  for (const f of flags) {
    if (f === 'i') bits |= RE2JS.CASE_INSENSITIVE;
    else if (f === 'm') bits |= RE2JS.MULTILINE;
    else if (f === 's') bits |= RE2JS.DOTALL;
    else if (f !== 'u') return `unsupported regular-expression flag '${f}' (use i, m, s)`;
  }
  return bits;
}

/** A glob (* any run, ? one character, everything else literal) as an anchored RE2 expression. */
function globToRe2(glob: string): string {
  let out = '';
  for (const ch of glob) out += ch === '*' ? '.*' : ch === '?' ? '.' : RE2JS.quote(ch);
  return `^${out}$`;
}

function compileRe2(source: string, flags: number, what: string): ParamGroupPattern {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, flags);
  } catch (e) {
    if (e instanceof RE2JSException) return { ok: false, message: `not a valid ${what}: ${oneLine(e.message)}` };
    throw e;
  }
  const size = re.programSize();
  if (size > MAX_GROUP_PROGRAM_SIZE) return { ok: false, message: `${what} too complex (${size} instructions, at most ${MAX_GROUP_PROGRAM_SIZE})` };
  return { ok: true, kind: what === 'glob' ? 'glob' : 'regex', matches: (name) => re.test(name) };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Compiled patterns by text. The config is validated once per field of a link and on every edit,
 * and compiling the largest accepted pattern takes up to ~100 ms: each pattern is compiled once.
 */
const compiled = new Map<string, ParamGroupPattern>();
const CACHE_SIZE = 32;

/** Compiles a parameter-group pattern; a pattern that cannot be used comes back with its one-line message. */
export function compileParamGroup(pattern: string): ParamGroupPattern {
  let p = compiled.get(pattern);
  if (!p) {
    p = compileUncached(pattern);
    if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
    compiled.set(pattern, p);
  }
  return p;
}

function compileUncached(pattern: string): ParamGroupPattern {
  if (pattern.length > MAX_GROUP_PATTERN_LENGTH) return { ok: false, message: `pattern longer than ${MAX_GROUP_PATTERN_LENGTH} characters` };
  if (pattern === '') return { ok: true, kind: 'all', matches: () => true };
  const regex = regexForm(pattern);
  if (regex) {
    const flags = re2Flags(regex.flags);
    if (typeof flags === 'string') return { ok: false, message: flags };
    return compileRe2(regex.source, flags, 'regular expression');
  }
  if (pattern.includes('*') || pattern.includes('?')) return compileRe2(globToRe2(pattern), 0, 'glob');
  return { ok: true, kind: 'substring', matches: (name) => name.includes(pattern) };
}

/** The predicate of a pattern known to compile (a validated config's); throws the message otherwise. */
export function paramGroupMatcher(pattern: string): (name: string) => boolean {
  const p = compileParamGroup(pattern);
  if (!p.ok) throw new Error(`parameter group '${pattern}': ${p.message}`);
  return p.matches;
}
