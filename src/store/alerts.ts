/**
 * The `alerts` table: every alert Breakwater raised, with what each channel did with it — the outbox of
 * record. A channel that was down is visible here, and `explain`, the demo and tests read alerts without a
 * phone. A repeat of a dedupeKey within its window is recorded too, marked suppressed.
 */
import type { AlertOut } from '../contracts/alert';
import type { Db } from './db';

/** What one channel did with an alert (the `deliveries` column). */
export interface Delivery {
  channel: 'ntfy' | 'webhook';
  ok: boolean;
  attempts: number;
  error?: string;
}

export function createAlertStore(db: Db) {
  return {
    /** Whether an alert with this dedupeKey went out (was not suppressed) within the last `windowMs`. */
    async sentWithin(dedupeKey: string, windowMs: number): Promise<boolean> {
      const recent = await db.query('SELECT 1 FROM alerts WHERE dedupe_key = $1 AND NOT suppressed AND at > now() - make_interval(secs => $2) LIMIT 1', [
        dedupeKey,
        windowMs / 1000,
      ]);
      return Boolean(recent.rowCount);
    },

    /** Records an alert that is not sent: a repeat of `dedupeKey` within its window. Returns its id. */
    async addSuppressed(a: AlertOut & { dedupeKey: string }): Promise<number> {
      const { rows } = await db.query<{ id: string }>(
        'INSERT INTO alerts (dedupe_key, workflow_id, pipeline, step, title, body, suppressed) VALUES ($1,$2,$3,$4,$5,$6,true) RETURNING id',
        [a.dedupeKey, a.workflowId ?? null, a.pipeline ?? null, a.step ?? null, a.title, a],
      );
      return Number(rows[0]!.id);
    },

    /** Records an alert about to be sent. Returns its id, for `recordDeliveries`. */
    async add(a: AlertOut): Promise<number> {
      const { rows } = await db.query<{ id: string }>(
        'INSERT INTO alerts (dedupe_key, workflow_id, pipeline, step, title, body) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id',
        [a.dedupeKey ?? null, a.workflowId ?? null, a.pipeline ?? null, a.step ?? null, a.title, a],
      );
      return Number(rows[0]!.id);
    },

    async recordDeliveries(id: number, deliveries: Delivery[]): Promise<void> {
      await db.query('UPDATE alerts SET deliveries = $2 WHERE id = $1', [id, JSON.stringify(deliveries)]);
    },

    /** The newest alert about a run, with its body (title, message, first and latest failure, link). */
    async latestOf(workflowId: string): Promise<{ title: string; body: AlertOut } | undefined> {
      const { rows } = await db.query<{ title: string; body: AlertOut }>('SELECT title, body FROM alerts WHERE workflow_id = $1 ORDER BY id DESC LIMIT 1', [workflowId]);
      return rows[0];
    },
  };
}

export type AlertStore = ReturnType<typeof createAlertStore>;
