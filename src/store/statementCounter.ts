/**
 * Counts the statements a pool sends to Postgres (issue 23: what each guarantee costs in statements). Every
 * store function reaches Postgres through a client the pool hands out — `pool.query` and `inTransaction`
 * alike — so wrapping each client's `query` once, when the pool first hands it out, counts them all (BEGIN
 * and COMMIT included: they are round trips too). `tag` names where a statement came from (the bench passes
 * the running activity's type); untagged ones count under ''. Used by the bench; a counter costs one
 * increment per statement, but nothing installs it in production workers yet.
 */
import type { Pool, PoolClient } from 'pg';

export interface StatementCounter {
  total: number;
  byTag: Map<string, number>;
  /** By tag and statement head (`INSERT INTO llm_calls`, `BEGIN`…): which table each guarantee touches. */
  byStatement: Map<string, number>;
  /** Stops counting (the wrapped clients stay wrapped, with the counter off). */
  stop(): void;
}

export function countStatements(pool: Pool, tag: () => string | undefined = () => undefined): StatementCounter {
  const wrapped = new WeakSet<PoolClient>();
  const counter: StatementCounter & { on: boolean } = { total: 0, byTag: new Map(), byStatement: new Map(), on: true, stop: () => void (counter.on = false) };
  const wrap = (client: PoolClient) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      if (counter.on) {
        counter.total += 1;
        const t = tag() ?? '';
        counter.byTag.set(t, (counter.byTag.get(t) ?? 0) + 1);
        const key = `${t}\t${statementHead(args[0])}`;
        counter.byStatement.set(key, (counter.byStatement.get(key) ?? 0) + 1);
      }
      return query(...args);
    };
  };
  // 'acquire' fires for every checkout, pool.query's included, and for clients connected before this call.
  pool.on('acquire', wrap);
  return counter;
}

/** The verb and the table it names: `SELECT … FROM fingerprints` → `SELECT fingerprints`. */
export function statementHead(q: unknown): string {
  const text = (typeof q === 'string' ? q : (q as { text?: string } | undefined)?.text ?? '').replace(/\s+/g, ' ').trim();
  const verb = (/^(WITH|SELECT|INSERT|UPDATE|DELETE|BEGIN|COMMIT|ROLLBACK|SET|LOCK)\b/i.exec(text)?.[1] ?? text.split(' ')[0] ?? '?').toUpperCase();
  const table = /\b(?:FROM|INTO|UPDATE|TABLE)\s+("?[\w.]+"?)/i.exec(text)?.[1]?.replace(/"/g, '');
  return table ? `${verb} ${table}` : verb;
}
