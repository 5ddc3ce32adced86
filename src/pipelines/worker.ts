/**
 * The reference pipelines on a Breakwater worker — built as a user builds theirs: `createBreakwaterWorker`
 * with this folder's workflows, activities and effects, and the enrichment API's broker worker. `npm run
 * build` prebuilds the bundle without tracing (`referenceBundlePath`), so tests and the demo start without
 * webpack; a worker that traces bundles at start.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';
import { createApiWorkers } from '../workers/apiWorkers';
import { writeWorkflowBundle } from '../workers/bundle';
import { createBreakwaterWorker, type BreakwaterWorkerOptions } from '../workers/worker';
import { createReferenceActivities, referenceEffects } from './activities';
import { loadReferenceConfig, type ReferenceConfig } from './config';
import { enrichmentApi, type EnrichmentApiOptions } from './enrichCatalog/apiWorker';
import { researchToolImplementations, searchApi } from './researchAgent/tools';

export const referenceWorkflowsPath = (): string => path.resolve(__dirname, 'workflows.js');
export const referenceBundlePath = (): string => path.resolve(__dirname, 'workflow-bundle.js');

/** The worker options that put the reference pipelines on a Breakwater worker. */
export function referenceWorkerOptions(deps: { db: Db; config: BreakwaterConfig; reference?: ReferenceConfig }): Pick<BreakwaterWorkerOptions, 'workflowBundle' | 'workflowsPath' | 'activities' | 'effects' | 'tools'> {
  const reference = deps.reference ?? loadReferenceConfig();
  const bundle = referenceBundlePath();
  return {
    // The prebuilt bundle when it fits; a worker that traces bundles the workflows at start (createBreakwaterWorker).
    workflowsPath: referenceWorkflowsPath(),
    ...(existsSync(bundle) ? { workflowBundle: { codePath: bundle } } : {}),
    activities: createReferenceActivities({ db: deps.db, config: deps.config, reference }),
    effects: referenceEffects(reference),
    tools: researchToolImplementations(deps.db),
  };
}

export type ReferenceWorkerOptions = Omit<BreakwaterWorkerOptions, 'workflowBundle' | 'workflowsPath' | 'effects' | 'tools'> & { reference?: ReferenceConfig };

/** A Breakwater worker running the reference pipelines (extra activities override, e.g. in tests). */
export async function createReferenceWorker(o: ReferenceWorkerOptions): Promise<Worker> {
  const base = referenceWorkerOptions(o);
  return createBreakwaterWorker({ ...o, ...base, activities: { ...base.activities, ...o.activities } });
}

/** The broker workers of the reference pipelines' rate-limited APIs (enrichment, and researchAgent's search). */
export async function createReferenceApiWorkers(o: Pick<BreakwaterWorkerOptions, 'config' | 'db' | 'connection' | 'taskQueue'> & { reference?: ReferenceConfig; enrichment?: Omit<EnrichmentApiOptions, 'db' | 'reference'> }): Promise<Worker[]> {
  const reference = o.reference ?? loadReferenceConfig();
  return createApiWorkers({ config: o.config, connection: o.connection, taskQueue: o.taskQueue, apis: [enrichmentApi({ ...o.enrichment, db: o.db, reference }), searchApi({ db: o.db })] });
}

if (require.main === module) {
  writeWorkflowBundle(referenceBundlePath(), { workflowsPath: referenceWorkflowsPath(), tracing: false }).then(
    (size) => process.stdout.write(`reference workflow bundle: ${path.relative(process.cwd(), referenceBundlePath())} (${(size / 1024).toFixed(0)} KiB)\n`),
    (e: unknown) => {
      process.stderr.write(`bundle failed: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
