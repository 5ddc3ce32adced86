/**
 * The reference pipelines' own activities and effects, registered next to Breakwater's on the reference
 * worker (src/pipelines/worker.ts, the tests, the demo). Built on the public API like a user's would be.
 */
import type { Activities } from '../activities';
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';
import { createDecisionLedgerActivities } from './agentDecision/activities';
import type { ReferenceConfig } from './config';
import { createPlanOutputActivities } from './planExecuteReview/planOutput';
import { createIngestActivities } from './parallelIngest/activities';
import { portalSubmission } from './submitAndVerify/activities';

export interface ReferenceDeps {
  db: Db;
  config: BreakwaterConfig;
  reference: ReferenceConfig;
}

export function createReferenceActivities(deps: ReferenceDeps) {
  return {
    ...createDecisionLedgerActivities(deps.db),
    ...createPlanOutputActivities({ db: deps.db }),
    ...createIngestActivities(),
  };
}

/** The irreversible effects of the reference pipelines. */
export const referenceEffects = (reference: ReferenceConfig) => [portalSubmission(reference)];

/** What reference workflows may call: Breakwater's activities and their own. */
export type ReferenceActivities = Activities & ReturnType<typeof createReferenceActivities>;
