/**
 * Portal simulator: stands in for a third-party submission portal with the
 * failure modes that make exactly-once delivery hard — no deduplication,
 * eventual visibility (processing lag), lost responses, silently dropped
 * submissions, rate limits and random 5xx.
 *
 * Contract:
 *   POST /submissions {recordId, entityId, payload} [Idempotency-Key: K] -> 201 {confirmation, receivedAt}
 *   GET  /submissions?recordId=ID -> 200 {results: [...]}  (only after lagMs; each with the key it was sent with)
 * The key is recorded and echoed, never used to de-duplicate: a client must still not POST twice.
 * Admin (for tests/demos in another process): /_admin/config, /_admin/submissions,
 * /_admin/log, /_admin/reset.
 */
import type http from 'node:http';
import { createSeededRandom } from '../deterministic/seededRandom';
import {
  HttpError,
  closeServer,
  createJsonServer,
  listen,
  parseOrThrow,
  readJsonBody,
  requireMethod,
  sendJson,
  sleep,
} from './http';
import {
  defaultPortalConfig,
  emptyPortalStats,
  portalConfigPatchSchema,
  portalConfigSchema,
  submissionRequestSchema,
  type PortalConfig,
  type PortalConfigPatch,
  type PortalLogEntry,
  type PortalOutcome,
  type PortalStats,
  type PortalSubmission,
  type PortalSubmissionRecord,
} from './portalContract';
import { createRollingWindow } from './rollingWindow';

export {
  portalModes,
  type PortalConfig,
  type PortalConfigPatch,
  type PortalLogEntry,
  type PortalMode,
  type PortalOutcome,
  type PortalStats,
  type PortalSubmission,
  type PortalSubmissionRecord,
} from './portalContract';

export interface PortalSimulatorOptions extends PortalConfigPatch {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface PortalSimulator {
  readonly url: string;
  /** Changes behaviour live; throws on invalid values. Returns the new config. */
  configure(patch: PortalConfigPatch): PortalConfig;
  config(): PortalConfig;
  submissions(): PortalSubmissionRecord[];
  log(): PortalLogEntry[];
  stats(): PortalStats;
  /** Forgets submissions, log, counters and rate-limit history; re-seeds the RNG. */
  reset(): void;
  close(): Promise<void>;
}

const RATE_WINDOW_MS = 60_000;

interface StoredSubmission extends PortalSubmission {
  payload: unknown;
  receivedAtMs: number;
}

export async function startPortalSimulator(options: PortalSimulatorOptions = {}): Promise<PortalSimulator> {
  const { port, host, ...patch } = options;
  let config: PortalConfig = portalConfigSchema.parse({ ...defaultPortalConfig, ...patch });
  let stored: StoredSubmission[] = [];
  let entries: PortalLogEntry[] = [];
  let stats = emptyPortalStats();
  const rateWindow = createRollingWindow();
  // Two streams so turning error injection on/off does not change which
  // confirmation numbers are issued, and vice versa.
  let failureRandom = createSeededRandom(config.seed);
  let confirmationRandom = createSeededRandom(config.seed ^ 0x9e3779b9);

  function reseed(): void {
    failureRandom = createSeededRandom(config.seed);
    confirmationRandom = createSeededRandom(config.seed ^ 0x9e3779b9);
  }

  function configure(next: PortalConfigPatch): PortalConfig {
    const validated = portalConfigPatchSchema.parse(next);
    config = { ...config, ...validated };
    if (validated.seed !== undefined) reseed();
    return { ...config };
  }

  function reset(): void {
    stored = [];
    entries = [];
    stats = emptyPortalStats();
    rateWindow.reset();
    reseed();
  }

  function nextConfirmation(): string {
    const suffix = Math.floor(confirmationRandom() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
    return `PRT-${String(stats.postAttempts).padStart(6, '0')}-${suffix.toUpperCase()}`;
  }

  function isVisible(submission: StoredSubmission, now: number): boolean {
    return now - submission.receivedAtMs >= config.lagMs;
  }

  function submissionRecords(): PortalSubmissionRecord[] {
    const now = Date.now();
    return stored.map((s) => ({
      recordId: s.recordId,
      entityId: s.entityId,
      confirmation: s.confirmation,
      receivedAt: s.receivedAt,
      ...(s.idempotencyKey ? { idempotencyKey: s.idempotencyKey } : {}),
      payload: structuredClone(s.payload),
      visibleAt: new Date(s.receivedAtMs + config.lagMs).toISOString(),
      visible: isVisible(s, now),
    }));
  }

  async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    switch (path) {
      case '/_admin/config':
        if (req.method === 'GET') return sendJson(res, 200, { config });
        requireMethod(req, 'POST');
        return sendJson(res, 200, {
          config: configure(parseOrThrow(portalConfigPatchSchema, await readJsonBody(req), 'portal config')),
        });
      case '/_admin/submissions':
        requireMethod(req, 'GET');
        return sendJson(res, 200, { submissions: submissionRecords(), stats: { ...stats } });
      case '/_admin/log':
        requireMethod(req, 'GET');
        return sendJson(res, 200, { entries });
      case '/_admin/reset':
        requireMethod(req, 'POST');
        reset();
        return sendJson(res, 200, { ok: true });
      default:
        throw new HttpError(404, `no admin endpoint ${path}`);
    }
  }

  async function handlePublic(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const entry: PortalLogEntry = {
      seq: entries.length + 1,
      time: new Date().toISOString(),
      method: req.method ?? 'UNKNOWN',
      path: url.pathname + url.search,
      status: null,
      outcome: 'not-found',
    };
    entries.push(entry);
    // Every exit path records its outcome on the log entry before answering.
    const fail = (outcome: PortalOutcome, error: HttpError): HttpError => {
      entry.status = error.status;
      entry.outcome = outcome;
      return error;
    };

    if (url.pathname !== '/submissions') throw fail('not-found', new HttpError(404, `no route ${url.pathname}`));
    if (req.method === 'POST') stats.postAttempts += 1;
    else if (req.method === 'GET') stats.getRequests += 1;
    else throw fail('bad-request', new HttpError(405, `${req.method} not allowed`, 'method_not_allowed'));

    if (config.rateLimitPerMinute !== null) {
      const admission = rateWindow.tryAdmit(Date.now(), config.rateLimitPerMinute, RATE_WINDOW_MS);
      if (!admission.admitted) {
        stats.rateLimited += 1;
        const retryAfter = String(admission.retryAfterSeconds);
        throw fail('rate-limited', new HttpError(429, `rate limit of ${config.rateLimitPerMinute}/min exceeded`, 'rate_limited', { 'retry-after': retryAfter }));
      }
    }
    // One draw per admitted request keeps the failure sequence a pure
    // function of (seed, request order).
    const injectFailure = failureRandom() < config.errorRate;
    await sleep(config.latencyMs);

    if (req.method === 'GET') {
      const recordId = url.searchParams.get('recordId');
      if (!recordId) {
        stats.badRequests += 1;
        throw fail('bad-request', new HttpError(400, 'query parameter recordId is required'));
      }
      if (injectFailure) {
        stats.injectedErrors += 1;
        throw fail('error-injected', new HttpError(500, 'simulated portal failure', 'internal_error'));
      }
      const now = Date.now();
      const results: PortalSubmission[] = stored
        .filter((s) => s.recordId === recordId && isVisible(s, now))
        .map(({ recordId: r, entityId, confirmation, receivedAt, idempotencyKey }) => ({ recordId: r, entityId, confirmation, receivedAt, ...(idempotencyKey ? { idempotencyKey } : {}) }));
      entry.status = 200;
      entry.outcome = 'listed';
      entry.recordId = recordId;
      return sendJson(res, 200, { results });
    }

    let body: ReturnType<typeof submissionRequestSchema.parse>;
    try {
      body = parseOrThrow(submissionRequestSchema, await readJsonBody(req), 'submission');
    } catch (err) {
      stats.badRequests += 1;
      const error = err instanceof HttpError ? err : new HttpError(400, String(err));
      throw fail('bad-request', error);
    }
    entry.recordId = body.recordId;
    if (config.mode === 'failing') {
      stats.failingRejections += 1;
      throw fail('failing', new HttpError(503, 'portal is unavailable (failing mode)', 'service_unavailable'));
    }
    if (injectFailure) {
      stats.injectedErrors += 1;
      throw fail('error-injected', new HttpError(500, 'simulated portal failure', 'internal_error'));
    }

    const now = Date.now();
    const submission: StoredSubmission = {
      recordId: body.recordId,
      entityId: body.entityId,
      confirmation: nextConfirmation(),
      receivedAt: new Date(now).toISOString(),
      receivedAtMs: now,
      payload: body.payload ?? null,
      ...(typeof req.headers['idempotency-key'] === 'string' ? { idempotencyKey: req.headers['idempotency-key'].slice(0, 500) } : {}),
    };
    entry.confirmation = submission.confirmation;
    if (config.mode === 'silently-lost') {
      stats.silentlyLost += 1;
      entry.status = 201;
      entry.outcome = 'silently-lost';
    } else {
      stored.push(submission);
      stats.persisted += 1;
      if (config.mode === 'response-lost') {
        // Persisted, but the client never hears back: the worst case for
        // retries, since a naive retry creates a duplicate.
        stats.responsesLost += 1;
        entry.outcome = 'response-lost';
        req.socket.destroy();
        return;
      }
      stats.created += 1;
      entry.status = 201;
      entry.outcome = 'created';
    }
    return sendJson(res, 201, { confirmation: submission.confirmation, receivedAt: submission.receivedAt });
  }

  const server = createJsonServer(async (req, res, url) => {
    if (url.pathname.startsWith('/_admin/')) return handleAdmin(req, res, url.pathname);
    return handlePublic(req, res, url);
  });
  const url = await listen(server, { port, host });

  return {
    url,
    configure,
    config: () => ({ ...config }),
    submissions: submissionRecords,
    log: () => entries.map((e) => ({ ...e })),
    stats: () => ({ ...stats }),
    reset,
    close: () => closeServer(server),
  };
}
