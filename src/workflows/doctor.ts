import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { checkDatabase } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '500 ms' },
});

/** `breakwater doctor`: client → Temporal → worker → Postgres, and back. */
export async function doctor(): Promise<Awaited<ReturnType<Activities['checkDatabase']>>> {
  return checkDatabase();
}
