/** Worker start: the prebuilt workflow bundle (npm run build) vs bundling workflow code at start. */
import { NativeConnection, Worker } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../devstack/temporalTools';
import { referenceBundlePath, referenceWorkflowsPath } from '../pipelines/worker';
import { bundleWorkflows } from '../workers/bundle';
import { ms, percentile, type BenchSection } from './report';

export async function bench(): Promise<BenchSection> {
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: ensureTemporalCli() } } });
  const connection: NativeConnection = env.nativeConnection;
  const bundle = { codePath: referenceBundlePath() };
  const time = async (create: () => Promise<Worker>) => {
    const start = performance.now();
    const worker = await create();
    const elapsed = performance.now() - start;
    await worker.runUntil(Promise.resolve());
    return elapsed;
  };
  const prebuilt: number[] = [];
  const atStart: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      prebuilt.push(await time(() => Worker.create({ connection, taskQueue: `b-${i}`, workflowBundle: bundle })));
      atStart.push(await time(async () => Worker.create({ connection, taskQueue: `w-${i}`, workflowBundle: await bundleWorkflows({ workflowsPath: referenceWorkflowsPath() }) })));
    }
  } finally {
    await env.teardown();
  }
  return {
    title: 'Worker start: prebuilt workflow bundle vs bundling at start',
    markdown: [
      '| how the worker gets its workflows | Worker.create p50 | max (3 runs) |',
      '|---|---|---|',
      `| prebuilt bundle (\`npm run build\`) | ${ms(percentile(prebuilt, 50))} | ${ms(Math.max(...prebuilt))} |`,
      `| \`workflowsPath\` (webpack at start, baseline) | ${ms(percentile(atStart, 50))} | ${ms(Math.max(...atStart))} |`,
    ].join('\n'),
  };
}
