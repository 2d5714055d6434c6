// The option reading of the small commands (translate, bench:acceptance): `--name value` or
// `--name=value` for options that take a value, bare `--name` for flags, `--help` / `-h`. The
// train command has its own reader (args.ts), which maps options onto the run config.

export interface Option {
  name: string;
  /** The value; '' for a flag. */
  value: string;
}

/** The options in order, or 'help'; an unknown option, a missing value or a stray argument throws with a one-line message. */
export function readOptions(argv: readonly string[], values: readonly string[], flags: readonly string[] = []): Option[] | 'help' {
  const out: Option[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return 'help';
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument '${a}' (see --help)`);
    const name = m[1];
    if (flags.includes(name) && m[2] === undefined) {
      out.push({ name, value: '' });
      continue;
    }
    if (!values.includes(name)) throw new Error(`unknown option --${name} (see --help)`);
    let value = m[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
      value = argv[++i];
    }
    out.push({ name, value });
  }
  return out;
}
