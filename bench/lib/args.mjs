// Command-line options shared by the benchmark scripts.

/** The positive integer after `--name` on the command line, or `dflt` when it is absent. */
export function intArg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} wants a positive integer`);
  return v;
}
