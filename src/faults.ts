/**
 * Named fault-injection points (after DBOS): places in activity code where a test can make the process
 * crash or throw at an exact moment — e.g. "the portal accepted the POST, the fingerprint is not yet
 * marked done". No sleeps and hope: the test names the point, the code hits it.
 *
 * Arm points with the env var BREAKWATER_FAULTS (read when a worker process starts), a comma-separated
 * list of `point:action[:times]`, actions `crash` (SIGKILL this process) or `throw`; or in-process with
 * `armFault`. A point fires `times` times (default 1) and then disarms. Unarmed, a point costs one Map lookup.
 */
import { Failure } from './failures';

export type FaultAction = 'crash' | 'throw';

export class InjectedFault extends Error {
  readonly code = Failure.InjectedFault.type;
  constructor(readonly point: string) {
    super(`Injected fault at ${point}`);
    this.name = 'InjectedFault';
  }
}

interface Armed {
  action: FaultAction;
  remaining: number;
}

const armed = new Map<string, Armed>();
const hits = new Map<string, number>();

function parseEnv(spec: string | undefined): void {
  for (const item of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [point, action = 'crash', times = '1'] = item.split(':');
    if (!point || (action !== 'crash' && action !== 'throw') || !/^\d+$/.test(times)) {
      throw new Error(`BREAKWATER_FAULTS: bad entry '${item}' (expected point:crash|throw[:times])`);
    }
    armed.set(point, { action, remaining: Number(times) });
  }
}
parseEnv(process.env.BREAKWATER_FAULTS);

export function armFault(point: string, action: FaultAction = 'throw', times = 1): void {
  armed.set(point, { action, remaining: times });
}

/** How often a point was reached (armed or not) in this process. */
export const faultHits = (point: string): number => hits.get(point) ?? 0;

/** Marks a named point in the code. Does nothing unless the point is armed. */
export function faultPoint(point: string): void {
  hits.set(point, (hits.get(point) ?? 0) + 1);
  const a = armed.get(point);
  if (!a) return;
  if (--a.remaining <= 0) armed.delete(point);
  if (a.action === 'crash') {
    process.stderr.write(`fault point ${point}: crashing (SIGKILL)\n`);
    process.kill(process.pid, 'SIGKILL');
  }
  throw new InjectedFault(point);
}
