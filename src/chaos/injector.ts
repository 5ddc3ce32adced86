/**
 * Applies one scheduled fault to the chaos stack and undoes it when its window ends, recording what it
 * actually did (a kill has a pid, a burst has the answers it spoiled, a POST fault the POSTs it hit).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { PortalConfigPatch } from '../simulators/portal';
import { chaosScenario, withFaultBurst } from './llmScenario';
import { crashPoints, type FaultEvent } from './schedule';
import { healthy, type ChaosStack } from './stack';

export interface AppliedFault {
  event: FaultEvent;
  /** Offsets from the run's start. */
  startedMs: number;
  endedMs: number;
  effect: string;
}

/** Requests of any method the window spoiled: a reconciliation's failed look-up counts against the breaker like a failed POST. */
const portalOutcomes = (stack: ChaosStack, since: number, outcomes: string[]) =>
  stack.portal.log().filter((e) => e.seq > since && outcomes.includes(e.outcome)).length;

/**
 * A portal window that ends early after the first request it spoiled: two consecutive failures of the
 * submit step open the shared breaker, which is a person's call by design — so the schedule keeps portal
 * faults isolated. A GET counts too: the look-up that reconciles a POST of unknown outcome is part of the
 * step, and a 500 there is a step failure (seed 11 under load: a reconcile GET and a probe's POST, both 500
 * in one window, opened the breaker and every later submission waited for a person).
 */
async function portalWindow(stack: ChaosStack, e: FaultEvent, patch: PortalConfigPatch, endOn: string[]): Promise<string> {
  const since = stack.portal.log().length;
  const restore = Object.fromEntries(Object.keys(patch).map((k) => [k, healthy.portal[k as keyof typeof healthy.portal]])) as PortalConfigPatch;
  stack.portal.configure(patch);
  const until = Date.now() + e.durationMs;
  while (Date.now() < until && (endOn.length === 0 || portalOutcomes(stack, since, endOn) === 0)) await delay(10);
  stack.portal.configure(restore);
  const entries = stack.portal.log().filter((x) => x.seq > since);
  const spoiled = endOn.length ? portalOutcomes(stack, since, endOn) : 0;
  return `${JSON.stringify(patch)}: ${entries.length} request(s) in the window${endOn.length ? `, ${spoiled} request(s) ${endOn.join('/')}` : ''}`;
}

async function llmBurst(stack: ChaosStack, e: FaultEvent): Promise<string> {
  const since = stack.llm.log().length;
  stack.llm.setScenario(withFaultBurst(chaosScenario, e.kind, e.burst ?? 1));
  await delay(e.durationMs);
  stack.llm.setScenario(chaosScenario);
  const log = stack.llm.log().slice(since);
  const spoiled = log.filter((x) => x.responseIndex !== null && x.responseIndex < (e.burst ?? 1)).length;
  return `${e.burst} bad answer(s) per rule; ${log.length} request(s) in the window, ${spoiled} answered badly`;
}

export async function applyFault(stack: ChaosStack, e: FaultEvent, o: { phaseEndsAt: number }): Promise<string> {
  switch (e.kind) {
    case 'worker-kill': {
      const pid = stack.fleet.kill(e.pick ?? 0);
      return pid ? `SIGKILL worker ${pid}` : 'no live worker to kill';
    }
    case 'worker-crash-at-point': {
      // Every named point is armed in every worker (from the fleet's start, else now) until it has fired once.
      if (stack.fleet.unfired().length === 0 && Object.keys(stack.fleet.stats().crashedAt).length === 0) await stack.fleet.armAtPoints(crashPoints);
      while (Date.now() < o.phaseEndsAt && stack.fleet.unfired().length > 0) await delay(200);
      const unfired = stack.fleet.unfired();
      await stack.fleet.disarmAll();
      const fired = Object.entries(stack.fleet.stats().crashedAt).map(([p, n]) => `${p} × ${n}`).join(', ');
      return `workers armed at ${crashPoints.length} fault points — crashed at ${fired || 'none'}${unfired.length ? `; never reached: ${unfired.join(', ')}` : ''}`;
    }
    case 'alert-channel-down': {
      // Held down past its planned length, up to a minute more, until at least one alert was refused: a window
      // no alert crossed proves nothing about the outbox relay (seed 2029's window refused none).
      const before = stack.alerts.stats().refused;
      const downAt = Date.now();
      const holdUntil = Math.min(o.phaseEndsAt, downAt + e.durationMs + 60_000);
      stack.alerts.setDown(true);
      await delay(e.durationMs);
      while (stack.alerts.stats().refused === before && Date.now() < holdUntil) await delay(500);
      stack.alerts.setDown(false);
      return `alert webhook answered 503 for ${Date.now() - downAt} ms: ${stack.alerts.stats().refused - before} alert POST(s) refused`;
    }
    case 'temporal-restart': {
      const killed = await stack.temporal.kill();
      await delay(e.durationMs);
      await stack.temporal.restart();
      return `${killed}, down ${e.durationMs} ms, restarted on ${stack.temporal.kind === 'dev' ? 'its SQLite file' : 'the same Postgres databases'}`;
    }
    case 'postgres-restart':
      await stack.postgres.restart(e.durationMs);
      return `Postgres stopped (immediate), down ${e.durationMs} ms + start-up, restarted`;
    case 'llm-5xx':
    case 'llm-429':
    case 'llm-lost-response':
    case 'llm-latency':
    case 'llm-garbage':
      return llmBurst(stack, e);
    case 'portal-5xx':
      return portalWindow(stack, e, { errorRate: 1 }, ['error-injected']);
    case 'portal-lost-response':
      return portalWindow(stack, e, { mode: 'response-lost' }, ['response-lost']);
    case 'portal-latency':
      return portalWindow(stack, e, { latencyMs: 1500 }, []); // slow, under the 3 s the submit waits: a POST that times out would count towards the breaker
    case 'portal-lag':
      return portalWindow(stack, e, { lagMs: 6000 }, []);
    case 'portal-429':
      return portalWindow(stack, e, { rateLimitPerMinute: 1 }, []);
    case 'enrichment-429':
    case 'enrichment-latency': {
      const before = stack.enrichment.stats();
      stack.enrichment.configure(e.kind === 'enrichment-429' ? { limit: 2, windowMs: 2000 } : { latencyMs: 12_000 });
      await delay(e.durationMs);
      stack.enrichment.configure(healthy.enrichment);
      const after = stack.enrichment.stats();
      return `${after.requests - before.requests} request(s) in the window, ${after.rateLimited - before.rateLimited} answered 429${e.kind === 'enrichment-latency' ? ', each delayed 12 s (client timeout 10 s)' : ''}`;
    }
  }
}

/** Puts every simulator back to healthy and every worker back to unarmed (end of the fault phase). */
export async function healAll(stack: ChaosStack): Promise<void> {
  stack.portal.configure(healthy.portal);
  stack.enrichment.configure(healthy.enrichment);
  stack.llm.setScenario(chaosScenario);
  stack.alerts.setDown(false);
  await stack.fleet.disarmAll();
}
