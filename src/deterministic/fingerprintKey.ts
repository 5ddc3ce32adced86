/**
 * The idempotency key of a submission: recordId + entityId + businessDate. Each part is percent-encoded
 * before joining with `:`, so no choice of ids can make two different records share a key
 * (`a:b` + `c` vs `a` + `b:c`). Pure: used by workflows (default workflow ids) and activities (the store).
 */
export interface FingerprintParts {
  recordId: string;
  entityId: string;
  businessDate: string;
}

export function fingerprintKey(p: FingerprintParts): string {
  return [p.recordId, p.entityId, p.businessDate].map((s) => encodeURIComponent(s)).join(':');
}

/** Inverse of fingerprintKey; undefined for a string that is not a fingerprint. */
export function parseFingerprintKey(key: string): FingerprintParts | undefined {
  const parts = key.split(':');
  if (parts.length !== 3) return undefined;
  try {
    const [recordId, entityId, businessDate] = parts.map((s) => decodeURIComponent(s)) as [string, string, string];
    return recordId && entityId && businessDate ? { recordId, entityId, businessDate } : undefined;
  } catch {
    return undefined;
  }
}

/** The workflow id `breakwater submit` uses by default: one id per fingerprint. */
export const defaultSubmitWorkflowId = (p: FingerprintParts): string => `submitAndVerify:${fingerprintKey(p)}`;
