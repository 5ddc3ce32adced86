/**
 * HTTP client of the portal contract (PORTAL_URL): `POST /submissions`, `GET /submissions?recordId=`.
 * Responses are validated with zod; every failure becomes an EffectError saying what it means for the
 * submission: `rejected` (4xx, the request is wrong: retrying won't help), `rate-limited` (429, come back
 * after Retry-After), `unavailable` (5xx: the portal answered that it failed, nothing was persisted),
 * `unknown-outcome` (no answer, a gateway error or an unreadable 201: the POST may or may not have been
 * persisted — reconcile before posting again), `bad-response` (a GET answer that breaks the contract).
 */
import { z } from 'zod';
import { EffectError } from '../../activities/effects';
import { redactText } from '../../redact';

export const portalSubmissionSchema = z.object({
  recordId: z.string(),
  entityId: z.string(),
  confirmation: z.string().min(1),
  receivedAt: z.string(),
  idempotencyKey: z.string().optional(),
});
export type PortalRecord = z.infer<typeof portalSubmissionSchema>;

const acceptedSchema = z.object({ confirmation: z.string().min(1), receivedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date') });
export type PortalAcceptance = z.infer<typeof acceptedSchema>;
const listSchema = z.object({ results: z.array(portalSubmissionSchema) });

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface PortalClientOptions {
  baseUrl: string;
  /** Per request; a POST that times out has an unknown outcome. Default 10 s. */
  timeoutMs?: number;
  /** Aborts requests early (the effect's lease ending). */
  signal?: AbortSignal;
}

export function createPortalClient(o: PortalClientOptions) {
  const base = o.baseUrl.replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? 10_000;

  async function send(method: 'GET' | 'POST', path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: o.signal ? AbortSignal.any([o.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const why = redactText((e as Error & { cause?: Error }).cause?.message ?? (e as Error).message);
      // No answer: for a POST nobody knows whether the portal persisted it.
      throw new EffectError(method === 'POST' ? 'unknown-outcome' : 'unavailable', `${method} ${path}: no response (${why})`);
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      throw new EffectError('rate-limited', `${method} ${path}: rate limited (Retry-After ${res.headers.get('retry-after') ?? 'absent'})`, 429, retryAfterMs);
    }
    if (res.status >= 500) {
      // A gateway answering for the portal does not know whether the portal persisted the POST.
      const gateway = res.status === 502 || res.status === 504;
      throw new EffectError(method === 'POST' && gateway ? 'unknown-outcome' : 'unavailable', `${method} ${path}: HTTP ${res.status} ${redactText(text.slice(0, 200))}`, res.status);
    }
    if (res.status >= 400) throw new EffectError('rejected', `${method} ${path}: HTTP ${res.status} ${redactText(text.slice(0, 200))}`, res.status);
    return { status: res.status, json, headers: res.headers };
  }

  return {
    /** POST /submissions. The portal does not deduplicate: call it only while holding the fingerprint. */
    async submit(req: { recordId: string; entityId: string; payload: unknown }, idempotencyKey?: string): Promise<PortalAcceptance> {
      const { status, json } = await send('POST', '/submissions', req, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
      const parsed = acceptedSchema.safeParse(json);
      if (status !== 201 && status !== 200) throw new EffectError('unknown-outcome', `POST /submissions: unexpected HTTP ${status}`, status);
      if (!parsed.success) throw new EffectError('unknown-outcome', `POST /submissions: HTTP ${status} with an unreadable body (${parsed.error.issues[0]?.message ?? 'invalid'})`, status);
      return parsed.data;
    },

    /** GET /submissions?recordId=: what the portal shows now (only submissions older than its lag). */
    async find(recordId: string): Promise<PortalRecord[]> {
      const { json } = await send('GET', `/submissions?recordId=${encodeURIComponent(recordId)}`);
      const parsed = listSchema.safeParse(json);
      if (!parsed.success) throw new EffectError('bad-response', `GET /submissions: response breaks the contract (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
      return parsed.data.results.filter((r) => r.recordId === recordId);
    },
  };
}

export type PortalClient = ReturnType<typeof createPortalClient>;
