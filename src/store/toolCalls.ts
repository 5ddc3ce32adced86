/**
 * `tool_calls`: one row per tool call an agent asked for — run, served from a write's fingerprint, refused
 * or failed — with its arguments and result redacted. The row of a `write` call that ran keeps the result
 * under the call's fingerprint: `resultOf` is how a retried attempt finds it after a crash.
 */
import { redactText, redactValue } from '../redact';
import type { Db, Queryable } from './db';

export interface ToolCallRecord {
  workflowId: string | null;
  runId: string | null;
  activityId: string | null;
  attempt: number;
  role: string;
  turn: number;
  callId: string;
  tool: string;
  effect?: string;
  status: 'ran' | 'cached' | 'refused' | 'failed';
  reason?: string;
  /** Parsed arguments, or the raw text the model sent when it was not JSON. */
  args: unknown;
  fingerprint?: string;
  result?: unknown;
  resultBytes?: number;
  latencyMs?: number;
  approvedBy?: string;
  error?: string;
}

const COLUMNS = ['workflow_id', 'run_id', 'activity_id', 'attempt', 'agent_role', 'turn', 'call_id', 'tool', 'effect', 'status', 'reason', 'arguments', 'fingerprint', 'result', 'result_bytes', 'latency_ms', 'approved_by', 'error'];

const values = (r: ToolCallRecord): unknown[] => [
  r.workflowId, r.runId, r.activityId, r.attempt, r.role, r.turn, r.callId, r.tool, r.effect ?? null, r.status, r.reason ?? null,
  JSON.stringify(redactValue(r.args ?? null)), r.fingerprint ?? null,
  r.result === undefined ? null : JSON.stringify(redactValue(r.result)),
  r.resultBytes ?? null, r.latencyMs ?? null, r.approvedBy ?? null,
  r.error === undefined ? null : redactText(r.error).slice(0, 4000),
];

export function createToolCallStore(db: Db) {
  return {
    async record(r: ToolCallRecord): Promise<number> {
      const { rows } = await db.query<{ id: string }>(`INSERT INTO tool_calls (${COLUMNS.join(',')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(',')}) RETURNING id`, values(r));
      return Number(rows[0]!.id);
    },
    /** Many rows in one statement (a turn's refusals). */
    async recordMany(rs: readonly ToolCallRecord[]): Promise<void> {
      if (rs.length === 0) return;
      const params = rs.flatMap(values);
      const tuples = rs.map((_, r) => `(${COLUMNS.map((__, c) => `$${r * COLUMNS.length + c + 1}`).join(',')})`).join(',');
      await db.query(`INSERT INTO tool_calls (${COLUMNS.join(',')}) VALUES ${tuples}`, params);
    },
    /** The result recorded by the attempt that ran the call with this fingerprint, if one did. */
    async resultOf(fingerprint: string): Promise<{ id: number; result: unknown } | undefined> {
      const { rows } = await db.query<{ id: string; result: unknown }>("SELECT id, result FROM tool_calls WHERE fingerprint = $1 AND status = 'ran' ORDER BY id LIMIT 1", [fingerprint]);
      return rows[0] ? { id: Number(rows[0].id), result: rows[0].result } : undefined;
    },
  };
}
export type ToolCallStore = ReturnType<typeof createToolCallStore>;

export interface ToolCallRow {
  id: number;
  agent_role: string;
  turn: number;
  call_id: string;
  tool: string;
  effect: string | null;
  status: string;
  reason: string | null;
  arguments: unknown;
  fingerprint: string | null;
  result_bytes: number | null;
  latency_ms: number | null;
  approved_by: string | null;
  error: string | null;
  at: Date;
}

/** A run's tool calls in order (tests, `breakwater explain`). */
export async function toolCallRows(db: Queryable, workflowId: string): Promise<ToolCallRow[]> {
  const { rows } = await db.query<ToolCallRow & { id: string }>(
    'SELECT id, agent_role, turn, call_id, tool, effect, status, reason, arguments, fingerprint, result_bytes, latency_ms, approved_by, error, at FROM tool_calls WHERE workflow_id = $1 ORDER BY id',
    [workflowId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
