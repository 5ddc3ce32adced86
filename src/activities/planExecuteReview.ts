/** The activities of the plan–execute–review pipelines: the resource gate, the output writer, the ingest reader. */
// The agent schemas these pipelines ask for must be registered in the worker process, where callModel resolves them.
import '../contracts/delegation';
import '../contracts/plan';
import type { Db } from '../store/db';
import { createIngestActivities } from './ingestSource';
import { createPlanOutputActivities } from './planOutput';
import { createResourceGateActivities } from './resourceGate';

export function createPlanExecuteReviewActivities(deps: { db: Db }) {
  return {
    ...createResourceGateActivities({ db: deps.db }),
    ...createPlanOutputActivities({ db: deps.db }),
    ...createIngestActivities(),
  };
}
