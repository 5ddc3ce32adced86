/**
 * `node dist/devstack/clusterSmoke.js` (scripts/check-cluster.sh, after `stack start --profile cluster`): runs
 * on the cluster profile's own two workers, then the real `breakwater runs` command against SQL visibility.
 * Starts two shared-state changes (they must complete, and the counter must count each once) and one
 * approval request (it must wait AwaitingHuman); then `breakwater runs --json` must list all three, and the
 * search-attribute filters `--pipeline requestApproval` (BreakwaterPipeline) and `--status AwaitingHuman`
 * (BreakwaterStatus) exactly the approval. The approval is terminated at the end. Exit 1 on
 * any mismatch, with what was expected and what was listed.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { connectClient } from '../client/connection';
import { getConfig } from '../config';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'bin', 'breakwater.js');

async function runsListed(args: string[]): Promise<{ workflowId: string; pipeline: string; status: string }[]> {
  const { stdout } = await run(process.execPath, [cli, 'runs', '--json', '--limit', '1000', ...args], { env: process.env, timeout: 60_000 });
  return (JSON.parse(stdout) as { runs: { workflowId: string; pipeline: string; status: string }[] }).runs;
}

async function eventually(what: string, check: () => Promise<string | undefined>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    last = await check();
    if (last === undefined) return;
    if (Date.now() > until) throw new Error(`${what}: ${last}`);
    await delay(1000);
  }
}

async function main(): Promise<void> {
  const config = getConfig();
  const client = await connectClient(config);
  const tag = `smoke-${Date.now()}`;
  const since = new Date(Date.now() - 5000).toISOString();
  const key = `cluster-${tag}`;
  try {
    const shared = await Promise.all(
      [1, 2].map((i) =>
        client.workflow.start('applySharedChange', { taskQueue: config.temporal.taskQueue, workflowId: `${tag}-shared-${i}`, args: [{ key, actor: `${tag}-${i}`, add: { count: 1 }, set: {}, maxAttempts: 50 }] }),
      ),
    );
    const approval = await client.workflow.start('requestApproval', { taskQueue: config.temporal.taskQueue, workflowId: `${tag}-approval`, args: [{ subject: 'cluster smoke', details: { tag } }] });
    const results = await Promise.all(shared.map((h) => client.connection.withDeadline(Date.now() + 120_000, () => h.result())));
    process.stdout.write(`smoke: ${shared.length} shared changes completed on the cluster's workers: ${JSON.stringify(results).slice(0, 200)}\n`);

    const ids = [...shared.map((h) => h.workflowId), approval.workflowId];
    await eventually('breakwater runs --since lists every smoke run', async () => {
      const listed = new Set((await runsListed(['--since', since])).map((r) => r.workflowId));
      const missing = ids.filter((id) => !listed.has(id));
      return missing.length ? `missing ${missing.join(', ')}` : undefined;
    });
    // requestApproval carries BreakwaterPipeline (applySharedChange does not: it lists under its type).
    const pipeline = 'requestApproval';
    await eventually(`breakwater runs --pipeline ${pipeline}`, async () => {
      const got = (await runsListed(['--pipeline', pipeline, '--since', since])).map((r) => r.workflowId).filter((id) => id.startsWith(tag));
      return JSON.stringify(got) === JSON.stringify([approval.workflowId]) ? undefined : `expected ${approval.workflowId} alone, listed ${got.join(', ') || 'none'}`;
    });
    process.stdout.write(`smoke: breakwater runs --pipeline ${pipeline} lists exactly the approval run\n`);
    await eventually('breakwater runs --status AwaitingHuman lists the approval', async () => {
      const got = (await runsListed(['--status', 'AwaitingHuman', '--since', since])).map((r) => r.workflowId);
      return got.includes(approval.workflowId) && !got.some((id) => id.startsWith(`${tag}-shared`)) ? undefined : `listed ${got.join(', ') || 'none'}`;
    });
    process.stdout.write('smoke: breakwater runs --status AwaitingHuman lists the approval and no completed run\n');
    await approval.terminate('cluster smoke over');
  } finally {
    await client.connection.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`cluster smoke FAILED: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
