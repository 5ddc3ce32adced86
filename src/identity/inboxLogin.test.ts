import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInboxPassword, createSessions, hashInboxPassword, sameToken } from './inboxLogin';

test('inbox passwords: scrypt, salted, checked; too short refused', () => {
  const a = hashInboxPassword('correct horse battery');
  assert.notEqual(a, hashInboxPassword('correct horse battery'), 'salted');
  assert.equal(checkInboxPassword(a, 'correct horse battery'), true);
  assert.equal(checkInboxPassword(a, 'correct horse batterY'), false);
  assert.throws(() => hashInboxPassword('short'), /12 to 1024/);
});

test('sessions expire; tokens compare in constant time and never match empty', () => {
  const sessions = createSessions(-1);
  const s = sessions.create('dana');
  assert.equal(sessions.get(s.id), undefined, 'expired');
  assert.equal(sameToken('', ''), false);
  assert.equal(sameToken(s.csrf, s.csrf), true);
  assert.equal(sameToken(s.csrf, s.csrf.slice(1)), false);
});
