/**
 * Calling a rate-limited API from workflow code: `proxyApi<MyApiActivities>('shop', options)` is
 * `proxyActivities` on the API's broker queue (`<this run's queue>-api-shop`), where `createApiWorkers`
 * runs the brokered activities. Give the activities a start-to-close timeout long enough to wait for a
 * slot behind a deep queue, and a heartbeat timeout (queued calls heartbeat). Like `proxyActivities`, it
 * may be called at module level: the queue is resolved when an activity is called.
 */
import { proxyActivities, workflowInfo, type ActivityInterfaceFor, type ActivityOptions } from '@temporalio/workflow';
import { apiTaskQueue } from '../contracts/api';

export function proxyApi<A extends object>(api: string, options: ActivityOptions): ActivityInterfaceFor<A> {
  return new Proxy({} as ActivityInterfaceFor<A>, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      return (...args: unknown[]) => {
        const taskQueue = options.taskQueue ?? apiTaskQueue(workflowInfo().taskQueue, api);
        const activities = proxyActivities<Record<string, (...a: unknown[]) => Promise<unknown>>>({ ...options, taskQueue });
        return activities[name]!(...args);
      };
    },
  });
}
