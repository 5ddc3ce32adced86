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
