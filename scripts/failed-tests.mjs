// Prints each failed test of a TAP file with its diagnostics (error, location), so the end of a long CI log says
// what failed. Usage: node scripts/failed-tests.js results.tap
import fs from 'node:fs';
import process from 'node:process';

const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
let failures = 0;
for (let i = 0; i < lines.length; i++) {
  if (!/^\s*not ok \d+/.test(lines[i])) continue;
  failures++;
  const indent = lines[i].match(/^\s*/)[0].length;
  const block = [lines[i].trim()];
  // The YAML diagnostics block follows, indented deeper, between `---` and `...`.
  for (let j = i + 1; j < lines.length && j < i + 60; j++) {
    const depth = lines[j].match(/^\s*/)[0].length;
    if (lines[j].trim() === '' || depth <= indent) break;
    block.push(lines[j].slice(indent));
    if (lines[j].trim() === '...') break;
  }
  console.log(block.join('\n'));
}
console.log(`${failures} failed test(s)`);
