/**
 * The portal submission as an effect: POST /submissions once, and what GET /submissions lists for the
 * record and entity. Everything else — fingerprint, breaker, reconciliation, verification — is the
 * toolkit's effect primitive. The worker registers it with `effects: [portalSubmission(config)]`.
 */
import { defineEffect } from '../../activities/effects';
import { PORTAL_EFFECT_NAME } from './contract';
import { requireSetting } from '../../config';
import type { ReferenceConfig } from '../config';
import { createPortalClient } from './portalClient';


export function portalSubmission(config: Pick<ReferenceConfig, 'portalUrl'>) {
  const client = (signal: AbortSignal) => {
    const baseUrl = requireSetting(config.portalUrl, 'PORTAL_URL', 'point it at the portal (or its simulator)');
    return createPortalClient({ baseUrl, signal });
  };
  const find = async (fields: Record<string, string>, signal: AbortSignal) =>
    (await client(signal).find(fields.recordId!)).filter((r) => r.entityId === fields.entityId);
  return defineEffect<Record<string, unknown>>({
    name: PORTAL_EFFECT_NAME,
    async perform({ fields, payload, signal, idempotencyKey }) {
      return client(signal).submit({ recordId: fields.recordId!, entityId: fields.entityId!, payload }, idempotencyKey);
    },
    async lookup({ fields, signal }) {
      return find(fields, signal);
    },
  });
}
