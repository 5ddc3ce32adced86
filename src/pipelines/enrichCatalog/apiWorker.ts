/**
 * The enrichment API's broker worker spec, and the limiter modes the broker benchmark compares:
 * - `rolling-window` (default): the Postgres rolling-window bucket — exact, bursts the quota, measured best;
 * - `task-queue`: only Temporal's task-queue rate limit at limit/window per second (steady, no bursts);
 * - `both`: the bucket, plus the server-side rate limit as a backstop at the quota's full rate;
 * - `off`: no limit at all (the retry-storm baseline of the benchmark).
 */
import type { ApiWorkerSpec } from '../../workers/apiWorkers';
import type { ApiLimit } from '../../store/brokerBucket';
import type { Db } from '../../store/db';
import type { ReferenceConfig } from '../config';
import { createEnrichmentActivities, enrichmentLimit, type EnrichmentActivityDeps } from './activities';
import { ENRICHMENT_API } from './contract';

export type ApiLimiterMode = 'rolling-window' | 'task-queue' | 'both' | 'off';
export const limiterModes: readonly ApiLimiterMode[] = ['rolling-window', 'task-queue', 'both', 'off'];

export interface EnrichmentApiOptions {
  db: Db;
  reference: ReferenceConfig;
  limiter?: ApiLimiterMode;
  /** Quota overrides (tests scale the window down). */
  limit?: Partial<ApiLimit>;
  /** Server-side rate for `task-queue`/`both`, activities per second (default limit / window). */
  taskQueueActivitiesPerSecond?: number;
  /** The enrichment activity factory's other options (backoff, timeouts) in tests. */
  enrichment?: Omit<EnrichmentActivityDeps, 'db' | 'reference' | 'limiter' | 'limit'>;
  workerOptions?: ApiWorkerSpec['workerOptions'];
}

export function enrichmentApi(o: EnrichmentApiOptions): ApiWorkerSpec {
  const mode = o.limiter ?? 'rolling-window';
  const limit = enrichmentLimit(o.reference, o.limit);
  const rate = o.taskQueueActivitiesPerSecond ?? limit.limit / (limit.windowMs / 1000);
  return {
    api: ENRICHMENT_API,
    activities: createEnrichmentActivities({ ...o.enrichment, db: o.db, reference: o.reference, limiter: mode === 'rolling-window' || mode === 'both' ? 'rolling-window' : 'off', limit: o.limit }),
    ...(mode === 'task-queue' || mode === 'both' ? { maxActivitiesPerSecond: rate } : {}),
    workerOptions: o.workerOptions,
  };
}
