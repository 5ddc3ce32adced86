/**
 * The `alerts` table: every alert Breakwater raised, with what each channel did with it — a transactional
 * outbox. An alert is recorded `pending` before any channel is tried and marked `delivered` once every
 * channel accepted it; until then it stays pending (`attempts`, `last_error`, `next_attempt_at`) and the
 * retry of the activity that raised it, or the worker's relay, delivers it. A claim (`claimed_by`,
 * `claimed_until`) keeps two senders off one row. A repeat of a dedupeKey within its window is recorded
 * too, status `suppressed`. `explain`, the demo and tests read alerts without a phone.
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

export type AlertStatus = 'pending' | 'delivered' | 'suppressed';

/** An alert as the outbox holds it; `deliveries` is what each channel did so far. */
export interface OutboxAlert {
  id: number;
  status: AlertStatus;
  body: AlertOut;
  deliveries: Delivery[];
  /** Delivery rounds so far. */
  attempts: number;
}

interface Row {
  attempts: number;
  id: string;
  status: AlertStatus;
  body: AlertOut;
  deliveries: Delivery[];
}
const toAlert = (r: Row): OutboxAlert => ({ id: Number(r.id), status: r.status, body: r.body, deliveries: r.deliveries, attempts: r.attempts });
const RETURNING = 'RETURNING id, status, body, deliveries, attempts';

export function createAlertStore(db: Db) {
  return {
    /** Whether an alert with this dedupeKey went out or is going out (not suppressed) within the last `windowMs`. */
    async sentWithin(dedupeKey: string, windowMs: number): Promise<boolean> {
      const recent = await db.query("SELECT 1 FROM alerts WHERE dedupe_key = $1 AND status <> 'suppressed' AND at > now() - make_interval(secs => $2) LIMIT 1", [
        dedupeKey,
        windowMs / 1000,
      ]);
      return Boolean(recent.rowCount);
    },

    /** The alert an earlier attempt of the same activity recorded under `outboxKey`, if any. */
    async byOutboxKey(outboxKey: string): Promise<OutboxAlert | undefined> {
      const { rows } = await db.query<Row>('SELECT id, status, body, deliveries, attempts FROM alerts WHERE outbox_key = $1', [outboxKey]);
      return rows[0] && toAlert(rows[0]);
    },

    /**
     * Records an alert: `pending` and claimed by `claimedBy` for `leaseMs` (the sender is about to deliver
     * it), or `suppressed`. With an `outboxKey` already recorded, returns that row instead (a retry).
     */
    async add(a: AlertOut, o: { outboxKey?: string; suppressed?: boolean; claimedBy: string; leaseMs: number }): Promise<OutboxAlert> {
      const { rows } = await db.query<Row>(
        `INSERT INTO alerts (dedupe_key, workflow_id, pipeline, step, title, body, suppressed, status, outbox_key, claimed_by, claimed_until)
         VALUES ($1,$2,$3,$4,$5,$6,$7, CASE WHEN $7 THEN 'suppressed' ELSE 'pending' END, $8, $9, now() + make_interval(secs => $10))
         ON CONFLICT (outbox_key) DO UPDATE SET outbox_key = EXCLUDED.outbox_key ${RETURNING}`,
        [a.dedupeKey ?? null, a.workflowId ?? null, a.pipeline ?? null, a.step ?? null, a.title, a, o.suppressed ?? false, o.outboxKey ?? null, o.claimedBy, o.leaseMs / 1000],
      );
      return toAlert(rows[0]!);
    },

    /**
     * Claims one pending alert for `leaseMs`: free, lapsed, or held by `claimedBy` itself (a retry of the
     * sender). Undefined when someone else holds it or it is no longer pending.
     */
    async claim(id: number, claimedBy: string, leaseMs: number): Promise<OutboxAlert | undefined> {
      const { rows } = await db.query<Row>(
        `UPDATE alerts SET claimed_by = $2, claimed_until = now() + make_interval(secs => $3)
         WHERE id = $1 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < now() OR claimed_by = $2) ${RETURNING}`,
        [id, claimedBy, leaseMs / 1000],
      );
      return rows[0] && toAlert(rows[0]);
    },

    /** Claims up to `limit` pending alerts that are due and unclaimed (or whose claim lapsed), oldest first. */
    async claimDue(claimedBy: string, leaseMs: number, limit: number): Promise<OutboxAlert[]> {
      const { rows } = await db.query<Row>(
        `UPDATE alerts SET claimed_by = $1, claimed_until = now() + make_interval(secs => $2)
         WHERE id IN (SELECT id FROM alerts WHERE status = 'pending' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
                      ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) ${RETURNING}`,
        [claimedBy, leaseMs / 1000, limit],
      );
      return rows.map(toAlert);
    },

    /**
     * Records one delivery round and releases the claim: `delivered` when no channel failed (`error`
     * undefined), else still pending, with the error, due again after `retryInMs`.
     */
    async recordAttempt(id: number, deliveries: Delivery[], error: string | undefined, retryInMs: number): Promise<void> {
      await db.query(
        `UPDATE alerts SET deliveries = $2, attempts = attempts + 1, last_error = COALESCE($3, last_error), claimed_by = NULL, claimed_until = NULL,
           status = CASE WHEN $3::text IS NULL THEN 'delivered' ELSE status END,
           delivered_at = CASE WHEN $3::text IS NULL THEN now() ELSE delivered_at END,
           next_attempt_at = now() + make_interval(secs => $4)
         WHERE id = $1 AND status = 'pending'`,
        [id, JSON.stringify(deliveries), error ?? null, retryInMs / 1000],
      );
    },

    /** Counts of the outbox by status (for `doctor`, chaos and tests). */
    async counts(): Promise<Record<AlertStatus, number>> {
      const { rows } = await db.query<{ status: AlertStatus; n: string }>('SELECT status, count(*) AS n FROM alerts GROUP BY status');
      const out: Record<AlertStatus, number> = { pending: 0, delivered: 0, suppressed: 0 };
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },

    /** The newest alert about a run, with its body (title, message, first and latest failure, link). */
    async latestOf(workflowId: string): Promise<{ title: string; body: AlertOut } | undefined> {
      const { rows } = await db.query<{ title: string; body: AlertOut }>('SELECT title, body FROM alerts WHERE workflow_id = $1 ORDER BY id DESC LIMIT 1', [workflowId]);
      return rows[0];
    },
  };
}

export type AlertStore = ReturnType<typeof createAlertStore>;
