/** Nexmark q14's user-defined function: how many times `c` occurs in `s`. */
export function count_char(s: string, c: string): number {
  if (c.length === 0) return 0;
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + c.length)) n++;
  return n;
}
