/**
 * The half-open probe, for steps that opt in (a read, or any call safe to try again): once the cool-down
 * since the breaker opened has passed, exactly one caller — across runs and workers — is admitted to try
 * the outside system. The admission is one conditional UPDATE (Postgres re-checks its WHERE against the row
 * a concurrent claim just committed, so of simultaneous claims one wins) and comes with a lease, so a
 * prober whose worker crashed blocks the breaker only until the lease ends. Its success closes the breaker
 * in the name of `half-open-probe`; its failure re-opens it with a fresh cool-down (`recordFailure`).
 * Without the opt-in nothing here ever admits a caller: an open breaker waits for a person.
 */
import { redactValue } from '../redact';
import { appendAudit } from './auditLog';
import { breakerEvent, HALF_OPEN_PROBE_ACTOR, NO_PROBE, PROBE_DUE, readBreaker, toState, type BreakerRow, type BreakerState } from './circuitBreakerState';
import { inTransaction, type Db } from './db';

export interface ProbeClaim {
  /** The attempt that would probe: `workflowId/runId/activityId#attempt`. */
  owner: string;
  workflowId?: string;
  /** How long the probe may run before another caller may take over: the attempt's timeout. */
  leaseMs: number;
}

export function createBreakerProbes(db: Db) {
  return {
    /**
     * Claims the probe if one is due. `won`: this caller probes (the breaker is now half-open); else the
     * breaker as it stands, for the caller's BW_BREAKER_OPEN.
     */
    async claimProbe(pipeline: string, step: string, c: ProbeClaim): Promise<{ won: boolean; breaker: BreakerState }> {
      return inTransaction(db, async (tx) => {
        const { rows } = await tx.query<BreakerRow & { lapsed_owner: string | null }>(
          `UPDATE circuit_breakers AS b SET state = 'half-open', probe_owner = $3, probe_workflow_id = $4, probe_started_at = now(),
             probe_lease_until = now() + $5 * interval '1 millisecond', updated_at = now()
           WHERE pipeline = $1 AND step = $2 AND ${PROBE_DUE}
           RETURNING b.*, false AS probe_due, (SELECT probe_owner FROM circuit_breakers WHERE pipeline = $1 AND step = $2) AS lapsed_owner`,
          [pipeline, step, c.owner, c.workflowId ?? null, Math.max(1, Math.round(c.leaseMs))],
        );
        const row = rows[0];
        if (!row) return { won: false, breaker: await readBreaker(tx, pipeline, step) };
        const breaker = toState(row);
        await breakerEvent(tx, {
          pipeline,
          step,
          kind: 'probe',
          workflowId: c.workflowId,
          detail: { owner: c.owner, leaseUntil: breaker.probe?.leaseUntil, openedAt: breaker.openedAt, ...(row.lapsed_owner ? { lapsedProbe: row.lapsed_owner } : {}) },
        });
        return { won: true, breaker };
      });
    },

    /**
     * The probe succeeded: closes the breaker, recorded like a person's clearing (row, event, audit log) with
     * `half-open-probe` as who. False when `owner` no longer holds the probe (its lease lapsed and another
     * took over, or a failure re-opened the breaker): then its success closes nothing.
     */
    async recordProbeSuccess(pipeline: string, step: string, owner: string, workflowId?: string): Promise<boolean> {
      return inTransaction(db, async (tx) => {
        const { rows: before } = await tx.query<BreakerRow>('SELECT * FROM circuit_breakers WHERE pipeline = $1 AND step = $2 FOR UPDATE', [pipeline, step]);
        const prior = before[0];
        if (!prior || prior.state !== 'half-open' || prior.probe_owner !== owner) return false;
        const reason = `half-open probe (${workflowId ?? owner}) succeeded after a ${Number(prior.half_open_after_ms)} ms cool-down`;
        await tx.query(
          `UPDATE circuit_breakers SET state = 'closed', consecutive_failures = 0, first_failure = NULL, latest_failure = NULL,
             cleared_by = $3, cleared_at = now(), clear_reason = $4, last_success_at = now(), ${NO_PROBE}, updated_at = now()
           WHERE pipeline = $1 AND step = $2`,
          [pipeline, step, HALF_OPEN_PROBE_ACTOR, reason],
        );
        const detail = {
          wasOpen: true,
          via: 'half-open-probe',
          reason,
          probe: { owner, startedAt: prior.probe_started_at?.toISOString() },
          openedAt: prior.opened_at?.toISOString(),
          firstFailure: prior.first_failure,
          latestFailure: prior.latest_failure,
        };
        await breakerEvent(tx, { pipeline, step, kind: 'cleared', actor: HALF_OPEN_PROBE_ACTOR, workflowId, detail });
        await appendAudit(tx, { actor: HALF_OPEN_PROBE_ACTOR, action: 'breaker.clear', target: `breaker:${pipeline}/${step}`, accepted: true, detail: redactValue(detail) });
        return true;
      });
    },

    /**
     * The probe ended without telling anything about the outside system (its fingerprint was already done, a
     * rate limit, a rejected request, a bug): back to open with the same openedAt, so the probe is due again
     * at once for the next caller.
     */
    async releaseProbe(pipeline: string, step: string, owner: string, why: string): Promise<void> {
      await inTransaction(db, async (tx) => {
        const { rowCount } = await tx.query(`UPDATE circuit_breakers SET state = 'open', ${NO_PROBE}, updated_at = now() WHERE pipeline = $1 AND step = $2 AND state = 'half-open' AND probe_owner = $3`, [
          pipeline,
          step,
          owner,
        ]);
        if (rowCount) await breakerEvent(tx, { pipeline, step, kind: 'probe-released', detail: { owner, why } });
      });
    },
  };
}
