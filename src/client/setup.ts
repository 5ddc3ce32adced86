/**
 * Registers Breakwater's search attributes (BreakwaterStatus, BreakwaterPipeline, BreakwaterCostUsd,
 * BreakwaterBudgetState) on a namespace. Without them every run that sets one fails its workflow task
 * with BadSearchAttributes, retried forever — so `breakwater setup` (or `ensureSearchAttributes` from your
 * own deploy code) runs once per namespace. Idempotent; a caller without the right gets a clear error.
 */
import type { Connection } from '@temporalio/client';
import { searchAttributeKeys } from '../contracts/searchAttributes';
import { BreakwaterError } from '../errors';
import { Failure } from '../failures';

/** The namespace's search attributes could not be registered (no right, or a name taken with another type). */
export class SearchAttributeSetupError extends BreakwaterError {
  readonly code = Failure.SetupFailed.type;
}

// temporal.api.enums.v1.IndexedValueType and gRPC status codes: stable wire numbers.
const INDEXED_KEYWORD = 2;
const INDEXED_DOUBLE = 4;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;
const typeOf = (t: string) => (t === 'DOUBLE' ? INDEXED_DOUBLE : INDEXED_KEYWORD);

export interface SetupReport {
  namespace: string;
  added: string[];
  present: string[];
}

export async function ensureSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<SetupReport> {
  let existing: Record<string, unknown>;
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (e) {
    throw setupError(e, namespace, 'list');
  }
  const missing = searchAttributeKeys.filter((k) => !(k.name in existing));
  const wrongType = searchAttributeKeys.filter((k) => k.name in existing && existing[k.name] !== typeOf(k.type));
  if (wrongType.length) {
    throw new SearchAttributeSetupError(`namespace '${namespace}' has ${wrongType.map((k) => k.name).join(', ')} with another type than Breakwater's (${wrongType.map((k) => `${k.name}: ${k.type}`).join(', ')}): remove or rename them`);
  }
  if (missing.length) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, typeOf(k.type)])) });
    } catch (e) {
      throw setupError(e, namespace, 'add');
    }
  }
  return { namespace, added: missing.map((k) => k.name), present: searchAttributeKeys.filter((k) => k.name in existing).map((k) => k.name) };
}

function setupError(e: unknown, namespace: string, what: 'list' | 'add'): SearchAttributeSetupError {
  const code = (e as { code?: number }).code;
  const denied = code === GRPC_PERMISSION_DENIED || code === GRPC_UNAUTHENTICATED;
  const names = searchAttributeKeys.map((k) => `${k.name}=${k.type === 'DOUBLE' ? 'Double' : 'Keyword'}`).join(' ');
  return new SearchAttributeSetupError(
    denied
      ? `not allowed to ${what} search attributes on namespace '${namespace}': ask an operator to add ${names} (Temporal Cloud: tcld namespace search-attributes add, or the Cloud UI)`
      : `could not ${what} search attributes on namespace '${namespace}': ${(e as Error).message}`,
    { cause: e },
  );
}
