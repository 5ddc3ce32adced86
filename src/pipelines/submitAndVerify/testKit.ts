/** Shared helpers of the submit-and-verify integration tests: the portal's admin view, polling, the real CLI. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { startPortalSimulator, type PortalSimulator, type PortalStats, type PortalSubmissionRecord } from '../../simulators/portal';
import type { TestStack } from '../../testing/harness';
import { startTestStack } from '../testKit';

/** GET /_admin/submissions over HTTP: what the portal really holds, and how many POSTs reached it. */
export async function portalAdmin(portalUrl: string, recordId?: string): Promise<{ submissions: PortalSubmissionRecord[]; stats: PortalStats }> {
  const res = await fetch(`${portalUrl}/_admin/submissions`);
  const body = (await res.json()) as { submissions: PortalSubmissionRecord[]; stats: PortalStats };
  return { ...body, submissions: recordId ? body.submissions.filter((s) => s.recordId === recordId) : body.submissions };
}

/** POSTs that reached the portal for one record (from its request log). */
export async function postAttemptsFor(portalUrl: string, recordId: string): Promise<number> {
  const res = await fetch(`${portalUrl}/_admin/log`);
  const { entries } = (await res.json()) as { entries: { method: string; recordId?: string }[] };
  return entries.filter((e) => e.method === 'POST' && e.recordId === recordId).length;
}

export { waitFor } from '../../testing/waitFor';

/** The environment a worker process or the CLI needs to reach this test's servers and schema. */
export function stackEnv(stack: TestStack, portalUrl: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: stack.env.address,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    DATABASE_URL: stack.config.database.url!,
    DATABASE_SCHEMA: stack.schema,
    PORTAL_URL: portalUrl,
    LOG_LEVEL: 'warn',
  };
}

/** This repository's CLI: Breakwater's commands plus the reference `submit` (src/pipelines/cli.ts). */
const bin = path.resolve(__dirname, '..', 'cli.js');

/** Runs the real `breakwater` CLI as a user would. */
export function breakwaterCli(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The portal simulator (with this lag) and a test stack whose reference worker submits to it, running. */
export async function startPortalStack(lagMs: number): Promise<{ stack: TestStack; portal: PortalSimulator; stop: () => Promise<void> }> {
  const portal = await startPortalSimulator({ lagMs });
  const stack = await startTestStack({ env: { PORTAL_URL: portal.url } });
  await stack.startWorker();
  return {
    stack,
    portal,
    stop: async () => {
      await stack.teardown();
      await portal.close();
    },
  };
}
