// Prints the first rows of a job's output file, for `npm start`.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
process.stdout.write(`\n${file}: ${lines.length} rows; the first ${Math.min(lines.length, 6)}:\n`);
for (const l of lines.slice(0, 6)) process.stdout.write(`  ${l}\n`);
