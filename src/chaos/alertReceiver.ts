/**
 * The chaos run's alert channel: a JSON webhook on 127.0.0.1 that records the `Idempotency-Key` of every
 * alert it accepted, and that can be taken down (HTTP 503) for a window. "No alert lost" is checked against
 * it: every alert recorded in the outbox must have reached it at least once.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AlertReceiver {
  readonly url: string;
  setDown(down: boolean): void;
  /** Alert ids (from `Idempotency-Key: breakwater-alert-<id>`) accepted, with how often each arrived. */
  received(): Map<number, number>;
  stats(): { accepted: number; refused: number };
  close(): Promise<void>;
}

export async function startAlertReceiver(): Promise<AlertReceiver> {
  let down = false;
  const got = new Map<number, number>();
  const stats = { accepted: 0, refused: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (down) {
        stats.refused += 1;
        res.writeHead(503).end('alert channel down (chaos)');
        return;
      }
      const id = /^breakwater-alert-(\d+)$/.exec(String(req.headers['idempotency-key'] ?? ''))?.[1];
      if (id) got.set(Number(id), (got.get(Number(id)) ?? 0) + 1);
      stats.accepted += 1;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    setDown: (d) => void (down = d),
    received: () => new Map(got),
    stats: () => ({ ...stats }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
