/**
 * Approvers' private keys on disk: `<dir>/<name>.key`, PKCS#8 PEM, mode 0600 in a 0700 folder (default
 * ~/.breakwater/approvers, BREAKWATER_APPROVER_KEY_DIR). The CLI signs with the key of the `--by` name, or
 * the file given with `--key`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { InvalidInputError } from '../errors';
import { generateApproverKey, privateKeyFromPem } from './decisionSignature';

const NAME = /^[\w.@-]{1,100}$/;

export const keyFileOf = (dir: string, name: string): string => path.join(dir, `${name}.key`);

/** Creates a key pair for `name`; refuses to overwrite an existing key. Returns the public line and the file. */
export function addApproverKey(dir: string, name: string): { line: string; file: string } {
  if (!NAME.test(name)) throw new InvalidInputError(`approver name must be 1-100 of letters, digits, _ . @ -, got '${name.slice(0, 50)}'`);
  const file = keyFileOf(dir, name);
  if (existsSync(file)) throw new InvalidInputError(`${file} exists: an approver's key is never overwritten (remove it first to replace it)`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = generateApproverKey();
  writeFileSync(file, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600); // whatever the umask
  return { line: `${name}=${pair.publicKey}`, file };
}

/** The key to sign with: `explicit` if given (must exist), else `<dir>/<by>.key` if it exists, else undefined. */
export function findSigningKey(dir: string, by: string, explicit?: string): KeyObject | undefined {
  const file = explicit ?? (NAME.test(by.trim()) ? keyFileOf(dir, by.trim()) : undefined);
  if (!file || (!explicit && !existsSync(file))) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`cannot read the key ${file}: ${(e as Error).message}`);
  }
  if ((statSync(file).mode & 0o077) !== 0) throw new InvalidInputError(`${file} is readable by others: chmod 600 it (a private key only its owner reads)`);
  try {
    return privateKeyFromPem(pem);
  } catch (e) {
    throw new InvalidInputError(`${file} is not an Ed25519 private key: ${(e as Error).message}`);
  }
}
