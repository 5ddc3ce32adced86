/**
 * The identity part of the typed config (src/config.ts reads the variables; this turns them into values):
 * approvers' public keys, who may vouch, development mode, the inbox's logins and TLS.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors';
import { decodePublicKey } from './decisionSignature';

export interface IdentityConfig {
  /** name → `ed25519:<key>`: whose signatures the worker accepts. */
  approverKeys: Readonly<Record<string, string>>;
  /** Signers allowed to vouch for an approver (the inbox). */
  vouchers: readonly string[];
  maxAgeMs: number;
  /** Unsigned decisions accepted and audited as unverified (BREAKWATER_DEV_MODE=1). */
  devMode: boolean;
  /** Where private keys live for the CLI (`<dir>/<name>.key`). */
  keyDir: string;
}

export interface InboxConfig {
  /** name → `scrypt$<salt>$<hash>`. */
  users: Readonly<Record<string, string>>;
  userHeader: string | undefined;
  keyFile: string | undefined;
  signer: string;
  tls: { certPath: string; keyPath: string } | undefined;
}

interface IdentityEnv {
  BREAKWATER_APPROVER_KEYS?: string;
  BREAKWATER_APPROVER_KEYS_FILE?: string;
  BREAKWATER_DECISION_VOUCHERS?: string;
  BREAKWATER_DECISION_MAX_AGE_S: number;
  BREAKWATER_DEV_MODE?: string;
  BREAKWATER_APPROVER_KEY_DIR?: string;
  BREAKWATER_INBOX_USERS?: string;
  BREAKWATER_INBOX_USER_HEADER?: string;
  BREAKWATER_INBOX_KEY_FILE?: string;
  BREAKWATER_INBOX_SIGNER: string;
  BREAKWATER_INBOX_TLS_CERT?: string;
  BREAKWATER_INBOX_TLS_KEY?: string;
}

const NAME = /^[\w.@-]{1,100}$/;

/** `name=value` entries (comma- or line-separated, `#` comments); each checked by `check`. */
function entries(text: string, variable: string, check: (value: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/[,\n]/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    const name = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (eq < 1 || !NAME.test(name)) throw new ConfigError(`${variable}: expected name=value entries, got '${line.slice(0, 40)}'`, [variable]);
    if (out[name]) throw new ConfigError(`${variable}: '${name}' appears twice`, [variable]);
    try {
      check(value);
    } catch (e) {
      throw new ConfigError(`${variable}: ${name}: ${(e as Error).message}`, [variable]);
    }
    out[name] = value;
  }
  return out;
}

export function identityConfig(e: IdentityEnv): IdentityConfig {
  const fromFile = e.BREAKWATER_APPROVER_KEYS_FILE ? readKeysFile(e.BREAKWATER_APPROVER_KEYS_FILE) : '';
  const approverKeys = entries([e.BREAKWATER_APPROVER_KEYS ?? '', fromFile].join('\n'), 'BREAKWATER_APPROVER_KEYS', (v) => void decodePublicKey(v));
  const vouchers = e.BREAKWATER_DECISION_VOUCHERS?.split(',') ?? [];
  for (const v of vouchers) if (!approverKeys[v]) throw new ConfigError(`BREAKWATER_DECISION_VOUCHERS names '${v}', which has no key in BREAKWATER_APPROVER_KEYS`, ['BREAKWATER_DECISION_VOUCHERS']);
  return Object.freeze({
    approverKeys: Object.freeze(approverKeys),
    vouchers: Object.freeze(vouchers),
    maxAgeMs: e.BREAKWATER_DECISION_MAX_AGE_S * 1000,
    devMode: e.BREAKWATER_DEV_MODE === '1' || e.BREAKWATER_DEV_MODE === 'true',
    keyDir: e.BREAKWATER_APPROVER_KEY_DIR ?? path.join(os.homedir(), '.breakwater', 'approvers'),
  });
}

function readKeysFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`BREAKWATER_APPROVER_KEYS_FILE: cannot read ${file}: ${(err as Error).message}`, ['BREAKWATER_APPROVER_KEYS_FILE']);
  }
}

export function inboxConfig(e: IdentityEnv): InboxConfig {
  const users = entries(e.BREAKWATER_INBOX_USERS ?? '', 'BREAKWATER_INBOX_USERS', (v) => {
    if (!/^scrypt\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{43,}$/.test(v)) throw new Error('expected scrypt$<salt>$<hash> (breakwater approver inbox-login prints one)');
  });
  if (Boolean(e.BREAKWATER_INBOX_TLS_CERT) !== Boolean(e.BREAKWATER_INBOX_TLS_KEY)) {
    throw new ConfigError('BREAKWATER_INBOX_TLS_CERT and BREAKWATER_INBOX_TLS_KEY go together', ['BREAKWATER_INBOX_TLS_CERT', 'BREAKWATER_INBOX_TLS_KEY']);
  }
  return Object.freeze({
    users: Object.freeze(users),
    userHeader: e.BREAKWATER_INBOX_USER_HEADER?.toLowerCase(),
    keyFile: e.BREAKWATER_INBOX_KEY_FILE,
    signer: e.BREAKWATER_INBOX_SIGNER,
    tls: e.BREAKWATER_INBOX_TLS_CERT && e.BREAKWATER_INBOX_TLS_KEY ? { certPath: e.BREAKWATER_INBOX_TLS_CERT, keyPath: e.BREAKWATER_INBOX_TLS_KEY } : undefined,
  });
}
