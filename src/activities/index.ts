/**
 * All Breakwater activities, built from their dependencies. Workers register `createActivities(deps)`;
 * workflows import only the *type* `Activities` and call them through `proxyActivities`.
 */
import { configSecrets, type BreakwaterConfig } from '../config';
import { registerSecrets } from '../redact';
import type { Db } from '../store/db';
import { createAlertActivities } from './alerts';
import { createApprovalActivities } from './approvals';
import { createDeadLetterActivities } from './deadLetters';
import { createDoctorActivities } from './doctor';
import { createSharedStateActivities } from './sharedState';
import { createEnrichmentActivities } from './enrichment';
import { createLlmActivities } from './llm';
import { createCircuitBreakerActivities } from './circuitBreaker';
import { createSubmitAndVerifyActivities } from './submitAndVerify';
import { createPlanExecuteReviewActivities } from './planExecuteReview';

export interface ActivityDeps {
  db: Db;
  config: BreakwaterConfig;
}

export function createActivities(deps: ActivityDeps) {
  // Whoever embeds these activities, every secret in the config is masked in what they write down.
  registerSecrets(...configSecrets(deps.config));
  return {
    ...createDoctorActivities(deps.db),
    ...createSharedStateActivities(deps.db),
    ...createDeadLetterActivities(deps.db),
    ...createAlertActivities({ db: deps.db, config: deps.config }),
    ...createApprovalActivities({ db: deps.db, config: deps.config }),
    ...createEnrichmentActivities({ db: deps.db, config: deps.config }),
    ...createLlmActivities({ db: deps.db, config: deps.config }),
    ...createCircuitBreakerActivities({ db: deps.db, config: deps.config }),
    ...createSubmitAndVerifyActivities({ db: deps.db, config: deps.config }),
    ...createPlanExecuteReviewActivities({ db: deps.db }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
