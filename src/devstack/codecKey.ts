/**
 * The dev stack's payload encryption key: made once (32 random bytes) in the project's .breakwater/codec-keys, mode 0600,
 * and read from there by the config module when BREAKWATER_CODEC_KEYS is unset — only in a checkout of this
 * project, so a development run encrypts like production without anyone pasting a key. A deployment never
 * has this file and must configure its own keys (the worker and the CLI refuse to start without them).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeySpec } from '../codec/keys';
import { projectHome } from '../projectHome';

export function devCodecKeys(home = projectHome()): string {
  const file = path.join(home, 'codec-keys');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(home, { recursive: true });
  const spec = generateKeySpec('dev');
  writeFileSync(file, `${spec}\n`, { mode: 0o600, flag: 'wx' });
  return spec;
}
