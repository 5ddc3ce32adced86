/**
 * The inbox's login: a per-approver password, stored as scrypt (node:crypto) in BREAKWATER_INBOX_USERS, and
 * sessions (random id in an HttpOnly SameSite=Strict cookie) each with its own CSRF token.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from '../errors';

const SCRYPT = { N: 16384, r: 8, p: 1 } as const;

export function hashInboxPassword(password: string): string {
  if (password.length < 12 || password.length > 1024) throw new InvalidInputError('an inbox password must be 12 to 1024 characters');
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${scryptSync(password, salt, 32, SCRYPT).toString('base64url')}`;
}

export function checkInboxPassword(stored: string, password: string): boolean {
  const [, salt, hash] = stored.split('$');
  if (!salt || !hash || password.length > 1024) return false;
  const want = Buffer.from(hash, 'base64url');
  const got = scryptSync(password, Buffer.from(salt, 'base64url'), want.length, SCRYPT);
  return timingSafeEqual(want, got);
}

/** Constant-time string comparison for tokens. */
export function sameToken(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Session {
  id: string;
  csrf: string;
  /** The logged-in approver; undefined for a pre-login session (its CSRF token guards the login form). */
  user: string | undefined;
  expires: number;
}

/** Sessions in memory: an inbox restart logs everyone out, which is fine for a small tool. */
export function createSessions(ttlMs = 8 * 3600_000) {
  const sessions = new Map<string, Session>();
  const token = () => randomBytes(32).toString('base64url');
  return {
    create(user: string | undefined): Session {
      const s = { id: token(), csrf: token(), user, expires: Date.now() + ttlMs };
      sessions.set(s.id, s);
      return s;
    },
    get(id: string | undefined): Session | undefined {
      if (!id) return undefined;
      const s = sessions.get(id);
      if (s && s.expires < Date.now()) sessions.delete(id);
      return s && s.expires >= Date.now() ? s : undefined;
    },
    drop(id: string): void {
      sessions.delete(id);
    },
  };
}
