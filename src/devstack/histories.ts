/**
 * Recorded workflow histories for replay tests. Integration tests call `recordHistory(handle, name)` after a
 * run; with BREAKWATER_RECORD_HISTORIES=1 the history is written to test/fixtures/histories/<name>.json.
 * The replay test replays every file there against the current workflow code and fails on any
 * non-determinism — so a change that would break running workflows is caught before it ships.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { ensureTemporalCli } from './temporalTools';
import { projectRoot } from './paths';

export const historiesDir = (): string => path.join(projectRoot(), 'test', 'fixtures', 'histories');

export interface RecordedHistory {
  name: string;
  workflowId: string;
  history: ReturnType<typeof historyFromJSON>;
}

/**
 * Exports the history with the Temporal CLI (`temporal workflow show --output json`), the same JSON the
 * Web UI downloads, so a history from production can be dropped into the fixtures folder as well.
 */
export async function recordHistory(handle: WorkflowHandle, name: string, address: string, namespace = 'default'): Promise<void> {
  if (process.env.BREAKWATER_RECORD_HISTORIES !== '1') return;
  await handle.result().catch(() => undefined); // only closed histories make complete fixtures
  const json = execFileSync(
    ensureTemporalCli(),
    ['workflow', 'show', '--workflow-id', handle.workflowId, '--address', address, '--namespace', namespace, '--output', 'json'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  mkdirSync(historiesDir(), { recursive: true });
  writeFileSync(path.join(historiesDir(), `${name}.json`), JSON.stringify({ workflowId: handle.workflowId, history: JSON.parse(json) }));
}

export function loadHistories(dir = historiesDir()): RecordedHistory[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { workflowId: string; history: unknown };
      return { name: f.replace(/\.json$/, ''), workflowId: raw.workflowId, history: historyFromJSON(raw.history) };
    });
}
