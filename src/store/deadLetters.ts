/**
 * The dead-letter table: work that exhausted its retry and repair budgets lands here with its full context
 * (input, errors first to last, cost, provenance, Web UI link) instead of vanishing into a failed run.
 * `breakwater dlq replay` starts the same work again as a new run; the pipelines' fingerprint rules make a
 * replay of work that already reached an external system a no-op there.
 *
 * Two copies of the input: `input`, redacted like every record people read (`list`, `get`, `dlq show`), and
 * `original_input`, the input as the run received it, which only `inputForReplay` reads — a replay must send
 * what the run would have sent, never `[REDACTED]`. The original is stored in clear, as the run's Temporal
 * history and the fingerprint row already hold it (see migrations/012_dead_letter_originals.sql).
 */
import { deadLetterSchema, type DeadLetterInput } from '../contracts/deadLetter';
import type { UnverifiedEffect } from '../contracts/effect';
import { containsMask, redactValue } from '../redact';
import type { Db } from './db';
import { isSealed, type Sealer } from '../codec/sealed';
import { ConfigError } from '../errors';

export interface DeadLetter {
  id: number;
  at: string;
  pipeline: string;
  workflowType: string;
  workflowId: string;
  runId: string;
  taskQueue: string;
  step: string | null;
  input: unknown;
  errors: { error: string; at: string; attempt?: number }[];
  costUsd: number;
  provenance: unknown;
  link: string | null;
  replays: { workflowId: string; by: string; at: string }[];
  /** Whether the input as the run received it is kept for replay (letters filed before it was: no). */
  originalKept: boolean;
  /** A confirmation the work's effect got but no look saw: a replay reopens that fingerprint. */
  unverifiedEffect: UnverifiedEffect | null;
}

/** What `dlq replay` may send for a letter. */
export type ReplayInput = { input: unknown } | { refused: string };

interface Row {
  id: string;
  at: Date;
  pipeline: string;
  workflow_type: string;
  workflow_id: string;
  run_id: string;
  task_queue: string;
  step: string | null;
  input: unknown;
  errors: DeadLetter['errors'];
  cost_usd: string;
  provenance: unknown;
  link: string | null;
  replays: DeadLetter['replays'];
  original_kept: boolean;
  unverified_effect: UnverifiedEffect | null;
}

/** Every column but the original input: what people may read. */
const DISPLAY_COLUMNS = `id, at, pipeline, workflow_type, workflow_id, run_id, task_queue, step, input, errors, cost_usd, provenance, link, replays,
  original_input IS NOT NULL AS original_kept, unverified_effect`;

const toDeadLetter = (r: Row): DeadLetter => ({
  id: Number(r.id),
  at: r.at.toISOString(),
  pipeline: r.pipeline,
  workflowType: r.workflow_type,
  workflowId: r.workflow_id,
  runId: r.run_id,
  taskQueue: r.task_queue,
  step: r.step,
  input: r.input,
  errors: r.errors,
  costUsd: Number(r.cost_usd),
  provenance: r.provenance,
  link: r.link,
  replays: r.replays,
  originalKept: r.original_kept,
  unverifiedEffect: r.unverified_effect,
});

export interface DeadLetterStoreOptions {
  /**
   * Seals `original_input` (the exact copy a replay re-sends) with the payload encryption keys
   * (src/codec/sealed.ts; `sealerFor(config)`). Without one it is stored as given — Breakwater's own
   * activities and CLI always pass one.
   */
  sealer?: Sealer;
}

const ORIGINAL = 'dead_letters.original_input';

export function createDeadLetterStore(db: Db, o: DeadLetterStoreOptions = {}) {
  return {
    /**
     * Idempotent per (workflow, run, step): an activity retry does not file the same letter twice. Everything
     * is stored redacted, and the input once more as received (`original_input`), for replay only. The
     * unverified effect is kept as given: a fingerprint key and a confirmation are identifiers, not text.
     */
    async add(input: DeadLetterInput): Promise<number> {
      const letter = deadLetterSchema.parse(input);
      const d = redactValue(letter);
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO dead_letters (pipeline, workflow_type, workflow_id, run_id, task_queue, step, input, errors, cost_usd, provenance, link, original_input, unverified_effect)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
         ON CONFLICT (workflow_id, run_id, step) DO UPDATE SET errors = EXCLUDED.errors
         RETURNING id`,
        [
          d.pipeline,
          d.workflowType,
          d.workflowId,
          d.runId,
          d.taskQueue,
          d.step ?? '',
          JSON.stringify(d.input ?? null),
          JSON.stringify(d.errors),
          d.costUsd,
          JSON.stringify(d.provenance ?? null),
          d.link ?? null,
          JSON.stringify(o.sealer ? o.sealer.seal(letter.input ?? null, ORIGINAL) : (letter.input ?? null)),
          letter.unverifiedEffect ? JSON.stringify(letter.unverifiedEffect) : null,
        ],
      );
      return Number(rows[0]!.id);
    },
    async list(limit = 50): Promise<DeadLetter[]> {
      const { rows } = await db.query<Row>(`SELECT ${DISPLAY_COLUMNS} FROM dead_letters ORDER BY at DESC, id DESC LIMIT $1`, [limit]);
      return rows.map(toDeadLetter);
    },
    async get(id: number): Promise<DeadLetter | undefined> {
      const { rows } = await db.query<Row>(`SELECT ${DISPLAY_COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
      return rows[0] && toDeadLetter(rows[0]);
    },
    /**
     * The input a replay sends: the original, as the run received it. A letter filed before originals were
     * kept has only its redacted copy, which is sent only if redaction changed nothing in it — a replay is an
     * irreversible call with real data, never with `[REDACTED]`.
     */
    async inputForReplay(id: number): Promise<ReplayInput | undefined> {
      const { rows } = await db.query<{ input: unknown; original_input: unknown }>('SELECT input, original_input FROM dead_letters WHERE id = $1', [id]);
      const row = rows[0];
      if (!row) return undefined;
      if (row.original_input !== null) {
        if (isSealed(row.original_input) && !o.sealer) throw new ConfigError(`dead letter ${id}'s original input is sealed: the store needs the payload encryption keys (BREAKWATER_CODEC_KEYS)`, ['BREAKWATER_CODEC_KEYS']);
        return { input: o.sealer ? o.sealer.open(row.original_input, ORIGINAL) : row.original_input };
      }
      if (!containsMask(row.input)) return { input: row.input };
      return { refused: `dead letter ${id} was filed before originals were kept and its stored input is redacted; a replay would send '[REDACTED]'. Start the work again with its real input instead` };
    },
    async recordReplay(id: number, replay: { workflowId: string; by: string }): Promise<void> {
      await db.query("UPDATE dead_letters SET replays = replays || jsonb_build_array(jsonb_build_object('workflowId', $2::text, 'by', $3::text, 'at', now())) WHERE id = $1", [
        id,
        replay.workflowId,
        replay.by,
      ]);
    },
  };
}
