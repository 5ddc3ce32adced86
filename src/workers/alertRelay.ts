/**
 * The alert outbox's relay: every `intervalMs` (default 15 s) it delivers the alerts still pending — a
 * channel was down when they were raised, or their sender crashed between recording and sending. Runs in
 * every worker `createBreakwaterWorker` builds, for as long as the worker runs; replicas share the work
 * through row claims (FOR UPDATE SKIP LOCKED), so an alert is not sent by two relays at once.
 */
import { deliverPendingAlerts, type AlertDeps } from '../activities/alerts';

export interface AlertRelayOptions extends AlertDeps {
  intervalMs?: number;
  log?: (message: string, meta: Record<string, unknown>) => void;
}

export interface AlertRelay {
  /** One round now (tests, shutdown); resolves with what it delivered. */
  flush(): Promise<{ delivered: number; failed: number }>;
  stop(): Promise<void>;
}

export function startAlertRelay(o: AlertRelayOptions): AlertRelay {
  let current: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const round = () => deliverPendingAlerts(o);
  const tick = () => {
    if (stopped) return;
    current = current.then(round).catch((e: unknown) => o.log?.('alert relay: round failed', { error: (e as Error).message }));
  };
  const timer = setInterval(tick, o.intervalMs ?? 15_000);
  timer.unref();
  return {
    flush: () => {
      const r = current.then(round);
      current = r.catch(() => undefined);
      return r;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current.catch(() => undefined);
    },
  };
}
