/**
 * Stale decisions (issue 12): a late click on an earlier escalation must never answer the open one. For
 * every run still waiting on a person after settling, the probe sends a resolution naming an escalation
 * other than the open one — by Update (which must refuse it) and by signal (which must leave the
 * escalation open) — and counts any that a run applied.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ChaosStack } from './stack';
import type { Client } from '@temporalio/client';
import { resolveEscalation } from '../client/escalations';
import { escalationQuery, resolveSignal } from '../contracts/messages';
import type { Resolution } from '../contracts/resolution';
import type { ChaosFigures, RunReport } from './invariants';

/** The id of the escalation before `id` (`approval-2` → `approval-1`), or one that never was (`approval-0`). */
const earlierId = (id: string): string => id.replace(/-(\d+)$/, (_, n: string) => `-${Math.max(0, Number(n) - 1)}`);

export async function probeStaleDecisions(client: Client, sign: ChaosStack['sign'], reports: RunReport[]): Promise<ChaosFigures['stale']> {
  const out: ChaosFigures['stale'] = { sent: 0, applied: 0, details: [] };
  const waiting = reports.filter((r) => r.state.outcome === 'escalated' && r.state.escalation!.workflowId === r.run.workflowId);
  await Promise.all(
    waiting.map(async (r) => {
      const open = r.state.escalation!;
      const handle = client.workflow.getHandle(r.run.workflowId);
      // Correctly signed, by a real approver: what refuses it is that it names an earlier escalation.
      const stale: Resolution = sign(r.run.workflowId, { decision: open.kind === 'budget-exhausted' ? 'reject' : 'approve', by: 'chaos-late-click', reason: 'a stale inbox tab', escalation: earlierId(open.id) });
      out.sent += 2;
      const viaUpdate = await resolveEscalation(client, r.run.workflowId, stale).then(() => true, () => false);
      if (viaUpdate) {
        out.applied += 1;
        out.details.push(`${r.run.workflowId}: the Update accepted a decision naming ${stale.escalation} while ${open.id} was open`);
      }
      await handle.signal(resolveSignal, stale).catch(() => undefined);
      await delay(1500);
      const now = await client.connection.withDeadline(Date.now() + 10_000, () => handle.query(escalationQuery)).catch(() => undefined);
      if (now && now.open?.id !== open.id) {
        out.applied += 1;
        out.details.push(`${r.run.workflowId}: after a stale signal naming ${stale.escalation}, ${open.id} is no longer open`);
      }
    }),
  );
  return out;
}
