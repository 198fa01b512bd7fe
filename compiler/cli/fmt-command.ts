/** `flowc fmt [--check] FILES…`: the one canonical layout. */
export function formatCommand(_args: string[]): number {
  process.stderr.write('flowc fmt: not available in this build yet\n');
  return 1;
}
