/**
 * The inbox as the end-to-end tests run it: on the test stack's client and database, with password logins
 * for `users` and decisions signed by the inbox's own approver key (the stack must vouch for it:
 * `BREAKWATER_DECISION_VOUCHERS`).
 */
import { readFileSync } from 'node:fs';
import { webUiLink } from '../../client/connection';
import { privateKeyFromPem } from '../../identity/decisionSignature';
import { hashInboxPassword } from '../../identity/inboxLogin';
import { startInbox, type InboxServer } from '../../observability/inbox/server';
import type { TestApprover } from '../../testing/approvers';
import type { TestStack } from '../testKit';

export function startSignedInbox(stack: TestStack, o: { inboxKey: TestApprover; passwords: Record<string, string> }): Promise<InboxServer> {
  return startInbox({
    client: stack.env.client,
    db: stack.db,
    link: (id, run) => webUiLink(stack.config, id, run),
    auth: { users: Object.fromEntries(Object.entries(o.passwords).map(([user, password]) => [user, hashInboxPassword(password)])) },
    signer: { name: o.inboxKey.name, key: privateKeyFromPem(readFileSync(o.inboxKey.keyFile, 'utf8')) },
  });
}

/** A form-posting client of the inbox at `origin()` (read when called: the inbox starts in a `before` hook). */
export function inboxForms(origin: () => string) {
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrfIn = async (res: Response) => /name="csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
  const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${origin()}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin(), ...headers }, body: new URLSearchParams(body).toString() });
  /** Logs in: the session cookie and its CSRF token (read off the inbox page). */
  async function login(user: string, password: string): Promise<{ cookie: string; csrf: string; status: number }> {
    const page = await fetch(`${origin()}/login`);
    const res = await post('/login', { csrf: await csrfIn(page), user, password }, { cookie: cookieOf(page) });
    if (res.status !== 303) return { cookie: '', csrf: '', status: res.status };
    const cookie = cookieOf(res);
    return { cookie, csrf: await csrfIn(await fetch(`${origin()}/`, { headers: { cookie } })), status: res.status };
  }
  return { post, login };
}
