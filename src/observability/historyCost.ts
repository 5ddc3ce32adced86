/**
 * What one run costs Temporal, read from its history as the server stores it (issue 23): events, activities,
 * timers, search-attribute upserts, child workflows, signals, and the bytes of every payload in it (encrypted
 * as stored, so the codec's overhead counts). Pass the raw history (before the codec decodes it): the bytes
 * are what the server keeps and sends to every replaying worker.
 */
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

export interface HistoryCost {
  events: number;
  activities: number;
  /** Local activities (one marker each): no task round trip, but their results are in the history too. */
  localActivities: number;
  timers: number;
  /** Marker events: local activities' results and patches (each `patched()` guard a new run passes). */
  markers: number;
  searchAttributeUpserts: number;
  childWorkflows: number;
  signals: number;
  /** Sum of `data` bytes of every payload (inputs, results, failures' details, memo, search attributes). */
  payloadBytes: number;
  /** Activities scheduled, by type. */
  activitiesByType: Record<string, number>;
  /** How many upserts set each search attribute (one upsert may set several). */
  upsertsByKey: Record<string, number>;
  /** The keys each upsert event set, in order. */
  upserts: string[][];
}

/** Sums payload bytes by walking the event: a Payload is any object with `metadata` and a byte-array `data`. */
function payloadBytesOf(value: unknown, depth = 0): number {
  if (!value || typeof value !== 'object' || depth > 40 || ArrayBuffer.isView(value)) return 0;
  const o = value as Record<string, unknown>;
  if ('metadata' in o && ArrayBuffer.isView(o.data)) return (o.data as Uint8Array).byteLength;
  let n = 0;
  for (const v of Array.isArray(value) ? value : Object.values(o)) n += payloadBytesOf(v, depth + 1);
  return n;
}

export function historyCost(h: History): HistoryCost {
  const c: HistoryCost = { events: 0, activities: 0, localActivities: 0, timers: 0, markers: 0, searchAttributeUpserts: 0, childWorkflows: 0, signals: 0, payloadBytes: 0, activitiesByType: {}, upsertsByKey: {}, upserts: [] };
  for (const e of h.events ?? []) {
    c.events += 1;
    c.payloadBytes += payloadBytesOf(e);
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) {
      c.activities += 1;
      c.activitiesByType[type] = (c.activitiesByType[type] ?? 0) + 1;
    }
    if (e.markerRecordedEventAttributes) c.markers += 1;
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') c.localActivities += 1;
    if (e.timerStartedEventAttributes) c.timers += 1;
    const upsert = e.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) {
      c.searchAttributeUpserts += 1;
      c.upserts.push(Object.keys(upsert.searchAttributes?.indexedFields ?? {}));
      for (const key of Object.keys(upsert.searchAttributes?.indexedFields ?? {})) c.upsertsByKey[key] = (c.upsertsByKey[key] ?? 0) + 1;
    }
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) c.childWorkflows += 1;
    if (e.workflowExecutionSignaledEventAttributes) c.signals += 1;
  }
  return c;
}

/** Two runs' costs as one (a parent and its children): counts added, per-type and per-key figures merged. */
export function addHistoryCosts(a: HistoryCost, b: HistoryCost): HistoryCost {
  const merge = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    for (const [k, n] of Object.entries(y)) out[k] = (out[k] ?? 0) + n;
    return out;
  };
  return {
    events: a.events + b.events,
    activities: a.activities + b.activities,
    localActivities: a.localActivities + b.localActivities,
    timers: a.timers + b.timers,
    markers: a.markers + b.markers,
    searchAttributeUpserts: a.searchAttributeUpserts + b.searchAttributeUpserts,
    childWorkflows: a.childWorkflows + b.childWorkflows,
    signals: a.signals + b.signals,
    payloadBytes: a.payloadBytes + b.payloadBytes,
    activitiesByType: merge(a.activitiesByType, b.activitiesByType),
    upsertsByKey: merge(a.upsertsByKey, b.upsertsByKey),
    upserts: [...a.upserts, ...b.upserts],
  };
}
