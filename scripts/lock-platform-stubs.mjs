#!/usr/bin/env node
// Adds lockfile entries for optional, platform-specific binaries that this machine's npm registry does not
// serve (@swc/core's darwin/win32/… builds answer 404 here). Without them `npm ci` refuses the lock as out of
// sync. Each stub carries its os/cpu, so npm skips it on this platform and fetches nothing.
// Run after regenerating package-lock.json: node scripts/lock-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
let added = 0;
for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    // Platform packages are named <pkg>-<os>-<cpu>[-<abi>], e.g. @swc/core-darwin-arm64.
    const match = /-(darwin|linux|win32|freebsd|android)-([a-z0-9]+)/.exec(name);
    if (lock.packages[key] || !match) continue;
    lock.packages[key] = { version, os: [match[1]], cpu: [match[2]], optional: true };
    added++;
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platform-stubs: ${added} stub(s) added`);
