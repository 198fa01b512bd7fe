/** Grammar files are imported as text (esbuild's text loader; a vitest plugin in tests). */
declare module '*.ohm' {
  const source: string;
  export default source;
}
