/**
 * The portal simulator's contract: configuration, request schema and the
 * shapes it reports. Separate from the server so the command line (main.ts)
 * and the live /_admin/config endpoint validate with the very same schema.
 */
import { z } from 'zod';

export const portalModes = ['normal', 'response-lost', 'silently-lost', 'failing'] as const;

/**
 * - normal: persist and answer 201.
 * - response-lost: persist, then drop the connection without answering.
 * - silently-lost: answer 201 with a confirmation but never persist.
 * - failing: every POST answers 503.
 */
export type PortalMode = (typeof portalModes)[number];

export const portalConfigSchema = z.strictObject({
  /** How long after receivedAt a submission becomes visible to GET. */
  lagMs: z.number().int().min(0),
  /** Probability (0..1) that a request fails with a 5xx, drawn from the seeded RNG. */
  errorRate: z.number().min(0).max(1),
  /** Added delay before every non-admin response. */
  latencyMs: z.number().int().min(0),
  /** Admitted requests per rolling minute; null means unlimited. */
  rateLimitPerMinute: z.number().int().min(1).nullable(),
  mode: z.enum(portalModes),
  /** Seed of the RNG used for error injection and confirmation numbers; setting it live re-seeds. */
  seed: z.number().int(),
});

export type PortalConfig = z.output<typeof portalConfigSchema>;

/** A partial config, as accepted by configure() and POST /_admin/config. */
export const portalConfigPatchSchema = portalConfigSchema.partial();
export type PortalConfigPatch = z.output<typeof portalConfigPatchSchema>;

export const defaultPortalConfig: PortalConfig = {
  lagMs: 60_000,
  errorRate: 0,
  latencyMs: 0,
  rateLimitPerMinute: null,
  mode: 'normal',
  seed: 1,
};

/** Body of POST /submissions. payload is opaque: the portal stores whatever it gets. */
export const submissionRequestSchema = z.object({
  recordId: z.string().min(1),
  entityId: z.string().min(1),
  payload: z.unknown(),
});

/** What GET /submissions returns per submission. */
export interface PortalSubmission {
  recordId: string;
  entityId: string;
  confirmation: string;
  receivedAt: string;
  /** The `Idempotency-Key` header the POST carried, echoed (the portal still does not de-duplicate). */
  idempotencyKey?: string;
}

/** A persisted submission as seen by the admin view. */
export interface PortalSubmissionRecord extends PortalSubmission {
  payload: unknown;
  /** When it becomes (or became) visible to GET under the current lag. */
  visibleAt: string;
  visible: boolean;
}

export type PortalOutcome =
  | 'created'
  | 'listed'
  | 'rate-limited'
  | 'error-injected'
  | 'failing'
  | 'response-lost'
  | 'silently-lost'
  | 'bad-request'
  | 'not-found';

export interface PortalLogEntry {
  seq: number;
  /** Arrival time, ISO. */
  time: string;
  method: string;
  path: string;
  /** HTTP status sent, or null when the connection was dropped without an answer. */
  status: number | null;
  outcome: PortalOutcome;
  recordId?: string;
  confirmation?: string;
}

export interface PortalStats {
  postAttempts: number;
  getRequests: number;
  /** POSTs answered 201 that were really persisted. */
  created: number;
  /** Submissions stored (including response-lost ones). */
  persisted: number;
  rateLimited: number;
  injectedErrors: number;
  failingRejections: number;
  responsesLost: number;
  silentlyLost: number;
  badRequests: number;
}

export function emptyPortalStats(): PortalStats {
  return {
    postAttempts: 0,
    getRequests: 0,
    created: 0,
    persisted: 0,
    rateLimited: 0,
    injectedErrors: 0,
    failingRejections: 0,
    responsesLost: 0,
    silentlyLost: 0,
    badRequests: 0,
  };
}

