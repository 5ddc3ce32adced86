/**
 * Who is using the inbox, and whether a POST really comes from its own page.
 *
 * Login: a per-approver password (scrypt in BREAKWATER_INBOX_USERS), or — only on loopback, behind an
 * authenticating reverse proxy — a trusted header (BREAKWATER_INBOX_USER_HEADER) naming the user. Sessions
 * are random ids in an HttpOnly SameSite=Strict cookie; each has its own CSRF token, required (with a
 * same-origin Origin header: no Origin-less pass) on every POST, the login form's included.
 */
import type { IncomingMessage } from 'node:http';
import { failureSpecOf, Failure } from '../../failures';
import { checkInboxPassword, createSessions, sameToken, type Session } from '../../identity/inboxLogin';

export interface InboxAuthOptions {
  /** name → `scrypt$<salt>$<hash>` (`breakwater approver inbox-login NAME`). */
  users?: Readonly<Record<string, string>>;
  /** A header an authenticating proxy sets (lower-case), trusted only on loopback. */
  userHeader?: string;
}

export class InboxRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const COOKIE = 'bw_inbox_session';
const cookieOf = (req: IncomingMessage): string | undefined =>
  (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === COOKIE)?.[1];

export const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/** Refuses (BW_INBOX_BIND_REFUSED) to listen beyond loopback without TLS and a password login; throws otherwise nothing. */
export function checkBind(host: string, o: { tls: boolean; auth: InboxAuthOptions }): void {
  const hasUsers = Object.keys(o.auth.users ?? {}).length > 0;
  if (!hasUsers && !o.auth.userHeader) {
    throw new InboxRefusal(0, Failure.InboxBindRefused.type, 'the inbox needs a login: set BREAKWATER_INBOX_USERS (breakwater approver inbox-login NAME) or, behind an authenticating proxy on this host, BREAKWATER_INBOX_USER_HEADER');
  }
  if (isLoopback(host)) return;
  if (!o.tls) throw new InboxRefusal(0, Failure.InboxBindRefused.type, `refusing to listen on ${host} without TLS: set BREAKWATER_INBOX_TLS_CERT and BREAKWATER_INBOX_TLS_KEY, or keep --host on loopback`);
  if (!hasUsers) throw new InboxRefusal(0, Failure.InboxBindRefused.type, `refusing to listen on ${host} with only a trusted header (anyone reaching it could set the header): set BREAKWATER_INBOX_USERS, or keep --host on loopback behind the proxy`);
}

export function createInboxAuth(o: InboxAuthOptions, secure: boolean) {
  const sessions = createSessions();
  const cookie = (s: Session) => `${COOKIE}=${s.id}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;

  /** The session of this request, if logged in (creating one for a proxy-authenticated user). */
  function current(req: IncomingMessage): { session: Session; setCookie?: string } | undefined {
    const s = sessions.get(cookieOf(req));
    const proxied = o.userHeader ? req.headers[o.userHeader] : undefined;
    if (o.userHeader && typeof proxied === 'string' && /^[\w.@-]{1,100}$/.test(proxied)) {
      if (s?.user === proxied) return { session: s };
      const fresh = sessions.create(proxied);
      return { session: fresh, setCookie: cookie(fresh) };
    }
    return s?.user ? { session: s } : undefined;
  }

  return {
    current,
    /** A pre-login session: its CSRF token guards the login form. */
    preLogin(req: IncomingMessage): { session: Session; setCookie?: string } {
      const s = sessions.get(cookieOf(req));
      if (s) return { session: s };
      const fresh = sessions.create(undefined);
      return { session: fresh, setCookie: cookie(fresh) };
    },
    /** Checks a POST's origin and CSRF token against its session; throws InboxRefusal. */
    checkPost(req: IncomingMessage, self: string, form: URLSearchParams): Session {
      const origin = req.headers.origin;
      if (!origin) throw new InboxRefusal(403, Failure.InboxCsrf.type, 'refused: a POST without an Origin header');
      if (origin.replace(/^https?:\/\//, '').replace(/^localhost:/, '127.0.0.1:') !== self) throw new InboxRefusal(403, Failure.InboxCsrf.type, 'refused: a POST from another origin');
      const s = sessions.get(cookieOf(req));
      if (!s) throw new InboxRefusal(401, Failure.InboxUnauthenticated.type, 'refused: no session (log in at /login)');
      if (!sameToken(form.get('csrf'), s.csrf)) throw new InboxRefusal(403, Failure.InboxCsrf.type, "refused: the form's CSRF token is missing or not this session's");
      return s;
    },
    login(pre: Session, user: string, password: string): string {
      const stored = o.users?.[user];
      // The hash is computed even for an unknown name, so timing does not tell which names exist.
      const ok = checkInboxPassword(stored ?? 'scrypt$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', password) && stored !== undefined;
      if (!ok) throw new InboxRefusal(401, Failure.InboxUnauthenticated.type, 'wrong name or password');
      sessions.drop(pre.id);
      return cookie(sessions.create(user));
    },
    logout(s: Session): string {
      sessions.drop(s.id);
      return `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
    },
  };
}

export const refusalType = (e: unknown): string | undefined => (e instanceof InboxRefusal ? failureSpecOf(e.code)?.type : undefined);
