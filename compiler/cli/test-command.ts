/** `flowc test [FILES…]`: runs the test blocks of .flow files. */
export async function runTests(_args: string[]): Promise<number> {
  process.stderr.write('flowc test: not available in this build yet\n');
  return 1;
}
