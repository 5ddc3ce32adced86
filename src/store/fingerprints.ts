/**
 * The fingerprint store: the idempotency record of irreversible effects (after payment systems'
 * idempotency keys). A fingerprint (the effect's name + the fields its user chose) is written `pending`
 * BEFORE the call and `done` with the confirmation after; the same fingerprint again — a retry, a replay,
 * a duplicate workflow, another worker — gets the cached result and sends nothing.
 *
 * Two attempts never POST at once: `claim` takes a lease on the row inside a transaction that holds the
 * row lock (SELECT ... FOR UPDATE), and the lease lasts as long as the attempt may (its start-to-close
 * timeout). The POST happens after the claim commits, so a crash cannot roll back the `pending` record.
 * A `pending` row with `posted_at` set is a call of unknown outcome: the next claimer must reconcile
 * (ask the outside system) and may call again only once the system has shown the effect absent after the
 * visibility window.
 *
 * The payload (the effect's request) is only compared, never read back: with the payload encryption keys
 * it is stored sealed and compared by its keyed digest (`payload_mac`, migrations/052_fingerprint_payload_mac.sql).
 */
import type { Sealer } from '../codec/sealed';
import { effectKey, type FingerprintFields } from '../contracts/effect';
import { ConfigError } from '../errors';
import { appendAudit } from './auditLog';
import { inTransaction, type Db } from './db';

export interface FingerprintRecord {
  key: string;
  effect: string;
  fields: FingerprintFields;
  status: 'pending' | 'done';
  confirmation: string | null;
  receivedAt: string | null;
  submittedAt: string | null;
  via: 'posted' | 'reconciled' | null;
  /** When the last POST went out; while `pending`, set means its outcome is unknown. */
  postedAt: string | null;
  postCount: number;
  attempts: number;
  lastError: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What a claimer may do now. */
export type ClaimVerdict =
  | { kind: 'done'; record: FingerprintRecord; payloadMatches: boolean }
  /** Another attempt holds the lease. */
  | { kind: 'busy'; record: FingerprintRecord; leaseRemainingMs: number }
  /** The lease is ours and the POST intent is recorded: POST now. */
  | { kind: 'post'; record: FingerprintRecord; payloadMatches: boolean }
  /** The lease is ours, but an earlier POST has an unknown outcome: ask the portal first. */
  | { kind: 'reconcile'; record: FingerprintRecord; msSincePost: number; payloadMatches: boolean };

const COLUMNS = `key, effect, fields, status, confirmation, received_at, submitted_at, via,
  posted_at, post_count, attempts, last_error, created_by, created_at, updated_at`;

interface Row {
  key: string;
  effect: string;
  fields: FingerprintFields;
  status: 'pending' | 'done';
  confirmation: string | null;
  received_at: Date | null;
  submitted_at: Date | null;
  via: 'posted' | 'reconciled' | null;
  posted_at: Date | null;
  post_count: number;
  attempts: number;
  last_error: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const PAYLOAD_COLUMN = 'fingerprints.payload';

/**
 * Whether the row's payload is the one given as $2 (its JSON) / $3 (its digests): a row with a MAC by the
 * MAC (its payload is sealed), a row from before sealing by its clear payload.
 */
const PAYLOAD_MATCHES = `CASE WHEN payload_mac IS NULL THEN payload = $2::jsonb ELSE payload_mac = ANY($3::text[]) END AS payload_matches,
  payload_mac IS NOT NULL AS payload_sealed`;

interface Compared {
  payload_matches: boolean;
  payload_sealed: boolean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toRecord = (r: Row): FingerprintRecord => ({
  key: r.key,
  effect: r.effect,
  fields: r.fields,
  status: r.status,
  confirmation: r.confirmation,
  receivedAt: iso(r.received_at),
  submittedAt: iso(r.submitted_at),
  via: r.via,
  postedAt: iso(r.posted_at),
  postCount: r.post_count,
  attempts: r.attempts,
  lastError: r.last_error,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export interface ClaimRequest {
  effect: string;
  fields: FingerprintFields;
  payload: unknown;
  /** Identifies the attempt (workflow, activity, attempt number). */
  owner: string;
  leaseMs: number;
  createdBy?: string;
  /**
   * An owner prefix whose leases do not block this claim: the earlier attempts of the same activity
   * (`<workflow>/<run>/<activity>#`), which Temporal has given up on once it runs this one. Tool calls use
   * it so a retry after a crash reconciles at once instead of waiting out the dead attempt's lease.
   */
  supersedes?: string;
}

export interface FingerprintStoreOptions {
  /**
   * Seals new payloads and compares by keyed digest (src/codec/sealed.ts; `optionalSealerFor(config)`).
   * Without one, new payloads are stored in clear, and a row written with one cannot be compared: a
   * ConfigError, not a silent mismatch (which would escalate a false payload-mismatch).
   */
  sealer?: Sealer;
}

export function createFingerprintStore(db: Db, opts: FingerprintStoreOptions = {}) {
  const { sealer } = opts;
  const digests = (payload: unknown): string[] => (sealer ? sealer.digests(payload ?? {}, PAYLOAD_COLUMN) : []);
  const matched = (key: string, row: Compared): boolean => {
    if (row.payload_sealed && !sealer) {
      throw new ConfigError(`fingerprint ${key}'s payload is sealed: comparing it needs the payload encryption keys (BREAKWATER_CODEC_KEYS)`, ['BREAKWATER_CODEC_KEYS']);
    }
    return row.payload_matches;
  };
  return {
    async get(key: string): Promise<FingerprintRecord | undefined> {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM fingerprints WHERE key = $1`, [key]);
      return rows[0] && toRecord(rows[0]);
    },

    /** The record and whether `payload` is the one it was first submitted with: the fingerprint check. */
    async lookup(key: string, payload: unknown): Promise<{ record: FingerprintRecord; payloadMatches: boolean } | undefined> {
      const { rows } = await db.query<Row & Compared>(`SELECT ${COLUMNS}, ${PAYLOAD_MATCHES} FROM fingerprints WHERE key = $1`, [key, JSON.stringify(payload ?? {}), digests(payload)]);
      return rows[0] && { record: toRecord(rows[0]), payloadMatches: matched(key, rows[0]) };
    },

    /** Every fingerprint of an effect whose fields include `match` (e.g. `{ recordId: 'R-1' }`), oldest first. */
    async list(effect: string, match: Partial<FingerprintFields> = {}): Promise<FingerprintRecord[]> {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM fingerprints WHERE effect = $1 AND fields @> $2::jsonb ORDER BY created_at`, [effect, JSON.stringify(match)]);
      return rows.map(toRecord);
    },

    /** Creates the `pending` row if absent, then decides under the row lock what this attempt may do. */
    async claim(req: ClaimRequest): Promise<ClaimVerdict> {
      const key = effectKey(req.effect, req.fields);
      const payload = JSON.stringify(req.payload ?? {});
      const macs = digests(req.payload);
      return inTransaction(db, async (tx) => {
        // One statement creates the row if absent and locks it: ON CONFLICT DO UPDATE locks the existing row,
        // and naming the key column in SET makes that the FOR UPDATE lock the separate SELECT took (an INSERT
        // … DO NOTHING + SELECT … FOR UPDATE pair before; issue 23). RETURNING reads the row as locked. The
        // price: the same-value update writes a new row version (HOT, no index change) where the SELECT only
        // locked — one round trip saved per claim for one tuple write.
        const { rows } = await tx.query<Row & Compared & { lease_remaining_ms: number | null; lease_owner: string | null; ms_since_post: number | null }>(
          `INSERT INTO fingerprints (key, effect, fields, payload, payload_mac, created_by) VALUES ($1, $4, $5, $6, $7, $8)
           ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
           RETURNING ${COLUMNS}, ${PAYLOAD_MATCHES}, lease_owner,
             (EXTRACT(EPOCH FROM lease_until - now()) * 1000)::float8 AS lease_remaining_ms,
             (EXTRACT(EPOCH FROM now() - posted_at) * 1000)::float8 AS ms_since_post`,
          [key, payload, macs, req.effect, JSON.stringify(req.fields), sealer ? JSON.stringify(sealer.seal(req.payload ?? {}, PAYLOAD_COLUMN)) : payload, macs[0] ?? null, req.createdBy ?? null],
        );
        const row = rows[0]!;
        const payloadMatches = matched(key, row);
        if (row.status === 'done') return { kind: 'done', record: toRecord(row), payloadMatches };
        const superseded = req.supersedes !== undefined && row.lease_owner?.startsWith(req.supersedes) === true;
        if (row.lease_owner && row.lease_owner !== req.owner && !superseded && (row.lease_remaining_ms ?? 0) > 0) {
          return { kind: 'busy', record: toRecord(row), leaseRemainingMs: row.lease_remaining_ms ?? 0 };
        }
        const reconcile = row.posted_at !== null;
        const { rows: updated } = await tx.query<Row>(
          `UPDATE fingerprints SET lease_owner = $2, lease_until = now() + make_interval(secs => $3), attempts = attempts + 1,
             posted_at = CASE WHEN $4 THEN posted_at ELSE now() END,
             post_count = CASE WHEN $4 THEN post_count ELSE post_count + 1 END,
             updated_at = now()
           WHERE key = $1 RETURNING ${COLUMNS}`,
          [key, req.owner, req.leaseMs / 1000, reconcile],
        );
        const record = toRecord(updated[0]!);
        return reconcile ? { kind: 'reconcile', record, msSincePost: row.ms_since_post ?? 0, payloadMatches } : { kind: 'post', record, payloadMatches };
      });
    },

    /** After a reconciliation found the record absent past the window: record the new POST intent. False if the lease was lost. */
    async markPosting(key: string, owner: string): Promise<boolean> {
      const r = await db.query(
        `UPDATE fingerprints SET posted_at = now(), post_count = post_count + 1, updated_at = now()
         WHERE key = $1 AND status = 'pending' AND lease_owner = $2 AND lease_until > now()`,
        [key, owner],
      );
      return r.rowCount === 1;
    },

    /** The system accepted (or reconciliation found) the effect. Idempotent: a row already done is returned as it is. */
    async markDone(key: string, c: { confirmation: string; receivedAt: string; via: 'posted' | 'reconciled' }): Promise<FingerprintRecord> {
      const { rows } = await db.query<Row>(
        `UPDATE fingerprints SET status = 'done', confirmation = $2, received_at = $3, via = $4, submitted_at = now(),
           last_error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = now()
         WHERE key = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
        [key, c.confirmation, c.receivedAt, c.via],
      );
      if (rows[0]) return toRecord(rows[0]);
      const existing = await this.get(key);
      if (!existing) throw new Error(`fingerprint ${key} vanished`);
      return existing;
    },

    /** The system answered that the call failed: nothing was persisted, the next attempt may call at once. */
    async markFailed(key: string, owner: string, error: string): Promise<void> {
      await db.query(
        `UPDATE fingerprints SET posted_at = NULL, last_error = $3, lease_owner = NULL, lease_until = NULL, updated_at = now()
         WHERE key = $1 AND status = 'pending' AND lease_owner = $2`,
        [key, owner, error],
      );
    },

    /** Gives the lease back. `error` (if any) is recorded; `posted_at` stays, so an unknown outcome stays unknown. */
    async release(key: string, owner: string, error?: string): Promise<void> {
      await db.query(
        `UPDATE fingerprints SET lease_owner = NULL, lease_until = NULL, last_error = COALESCE($3, last_error), updated_at = now()
         WHERE key = $1 AND lease_owner = $2`,
        [key, owner, error ?? null],
      );
    },

    /**
     * A person decided to retry a submission no verification ever saw: the fingerprint goes back to
     * `pending` with its last POST of unknown outcome, so the next attempt reconciles first (a late
     * appearance is found, not duplicated) and re-POSTs only once the record is shown absent.
     *
     * With `confirmation` (a dead-letter replay, long after the run), only while the fingerprint is still
     * `done` with that very confirmation: one verified since, or an attempt in flight, is left as it is.
     * Audited either way, in the name of who decided.
     */
    async reopen(key: string, by: string, reason: string, opts: { confirmation?: string } = {}): Promise<FingerprintRecord | undefined> {
      return inTransaction(db, async (tx) => {
        const { rows } = await tx.query<Row>(
          `UPDATE fingerprints SET status = 'pending', posted_at = COALESCE(posted_at, submitted_at, now()),
             last_error = $2 || ' (confirmation ' || COALESCE(confirmation, 'none') || ' was never seen)',
             confirmation = NULL, received_at = NULL, submitted_at = NULL, via = NULL, lease_owner = NULL, lease_until = NULL, updated_at = now()
           WHERE key = $1 AND ($3::text IS NULL OR (status = 'done' AND confirmation = $3)) RETURNING ${COLUMNS}`,
          [key, `reopened by ${by}: ${reason}`, opts.confirmation ?? null],
        );
        await appendAudit(tx, {
          actor: by,
          action: 'fingerprint.reopen',
          target: `fingerprint:${key}`,
          accepted: rows.length === 1,
          detail: opts.confirmation ? { reason, confirmation: opts.confirmation } : { reason },
        });
        return rows[0] && toRecord(rows[0]);
      });
    },
  };
}

export type FingerprintStore = ReturnType<typeof createFingerprintStore>;
