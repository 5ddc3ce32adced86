/** Naming of the broker's per-API task queues, shared by workers and workflows. Pure: usable in workflows. */
import { Failure } from '../failures';

/** The broker task queue of one API, next to the main queue: `<mainTaskQueue>-api-<api>`. */
export const apiTaskQueue = (mainTaskQueue: string, api: string): string => `${mainTaskQueue}-api-${api}`;

/** The failure type of a call the API answered with 429 (retried after Retry-After; the API pauses for everyone). */
export const API_RATE_LIMITED = Failure.RateLimited.type;
