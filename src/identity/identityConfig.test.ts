import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config';
import { isConfigError } from '../errors';
import { generateApproverKey } from './decisionSignature';

const key = generateApproverKey().publicKey;

test('development mode is off unless BREAKWATER_DEV_MODE is 1 or true', () => {
  assert.equal(loadConfig({}).identity.devMode, false);
  assert.equal(loadConfig({ BREAKWATER_DEV_MODE: '0' }).identity.devMode, false);
  assert.equal(loadConfig({ BREAKWATER_DEV_MODE: '1' }).identity.devMode, true);
  assert.equal(loadConfig({ BREAKWATER_DEV_MODE: 'true' }).identity.devMode, true);
  assert.throws(() => loadConfig({ BREAKWATER_DEV_MODE: 'yes' }), (e: unknown) => isConfigError(e) && e.variables.includes('BREAKWATER_DEV_MODE'));
});

test('approver keys: entries parsed; a bad key, a bad name, a duplicate or a voucher without a key is a ConfigError naming the variable', () => {
  assert.deepEqual(loadConfig({ BREAKWATER_APPROVER_KEYS: `alice=${key}, bob=${key}` }).identity.approverKeys, { alice: key, bob: key });
  for (const bad of ['alice=ed25519:nope', `=${key}`, `al ice=${key}`, `alice=${key},alice=${key}`]) {
    assert.throws(() => loadConfig({ BREAKWATER_APPROVER_KEYS: bad }), (e: unknown) => isConfigError(e) && e.variables.includes('BREAKWATER_APPROVER_KEYS'), bad);
  }
  assert.throws(() => loadConfig({ BREAKWATER_APPROVER_KEYS: `alice=${key}`, BREAKWATER_DECISION_VOUCHERS: 'inbox' }), (e: unknown) => isConfigError(e) && e.variables.includes('BREAKWATER_DECISION_VOUCHERS'));
});

test('inbox logins must be scrypt entries; TLS certificate and key go together', () => {
  assert.throws(() => loadConfig({ BREAKWATER_INBOX_USERS: 'dana=hunter2' }), (e: unknown) => isConfigError(e) && e.variables.includes('BREAKWATER_INBOX_USERS'));
  assert.throws(() => loadConfig({ BREAKWATER_INBOX_TLS_CERT: '/c.pem' }), (e: unknown) => isConfigError(e) && e.variables.includes('BREAKWATER_INBOX_TLS_KEY'));
});
