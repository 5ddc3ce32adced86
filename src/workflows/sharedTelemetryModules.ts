/**
 * OpenTelemetry's semantic conventions (~250 KiB of constant tables, no state), loaded once per worker into
 * the workflow sandbox's shared context like zod (src/workflows/sharedModules.ts) instead of by every traced
 * run. The rest of OpenTelemetry stays per run: the tracing interceptor registers each run's tracer provider
 * on the API's global facade, which a shared, frozen copy cannot take (tried: "Cannot add property
 * _delegate, object is not extensible") and which must not be shared between runs anyway.
 */
import * as semanticConventions from '@opentelemetry/semantic-conventions';

export const sharedTelemetryLibraries = { semanticConventions };
