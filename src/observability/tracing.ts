/**
 * OpenTelemetry tracing through Temporal's interceptors: the client span that starts a run, the workflow's
 * RunWorkflow/StartActivity spans (created inside the workflow sandbox, exported through the `exporter`
 * sink), each activity's RunActivity span, and the agent layer's `chat <model>` spans inside it — one trace
 * per pipeline run.
 *
 * On when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTLP/HTTP, batched), off otherwise. The workflow interceptors
 * are always in the prebuilt bundle (src/workers/bundle.ts); with tracing off their spans reach the sink
 * and are dropped, so the bundle is the same in every process. Replay emits nothing twice: the `exporter`
 * sink is not called while the worker replays history.
 */
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ClientInterceptors } from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { BreakwaterConfig } from '../config';

export const SERVICE_NAME = 'breakwater';

/** Module path of the OTel workflow interceptors: bundled with `workflowInterceptorModules`. */
export const otelWorkflowInterceptorModule = (): string => require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

interface Installed {
  provider: NodeTracerProvider;
  processor: SpanProcessor;
  resource: Resource;
}
let installed: Installed | undefined;

export interface TracingOptions {
  /** OTLP/HTTP endpoint (base URL; `/v1/traces` is appended). */
  endpoint?: string;
  /** Instead of OTLP: any processor (tests pass a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessor?: SpanProcessor;
  serviceName?: string;
  /** Where a failed export is reported (default: a process warning on stderr); at most once a minute. */
  onExportError?: (message: string) => void;
}

const EXPORT_REPORT_EVERY_MS = 60_000;

/**
 * The OTLP exporter, saying when the collector is down. OTel reports export failures to its global error
 * handler, silent without a diag logger: spans would vanish without a word. The run never waits on this —
 * the batch processor exports off the hot path and drops what it cannot send; only the count is kept.
 */
function reportingExporter(inner: SpanExporter, endpoint: string, report: (message: string) => void): SpanExporter {
  let dropped = 0;
  let lastReport = 0;
  const shown = new URL(endpoint).origin + new URL(endpoint).pathname; // never credentials in the URL
  return {
    export(spans, done) {
      inner.export(spans, (result) => {
        if (result.code !== 0) {
          dropped += spans.length;
          if (Date.now() - lastReport >= EXPORT_REPORT_EVERY_MS) {
            lastReport = Date.now();
            report(`trace export to ${shown} failed (${result.error?.message ?? 'unknown error'}): ${dropped} span(s) dropped so far; runs are unaffected`);
          }
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/**
 * Registers the process-wide tracer provider (with the async-hooks context manager, so spans started in an
 * activity nest under its RunActivity span). Returns false, and changes nothing, without an endpoint or a
 * processor. Idempotent: a second call keeps the first provider.
 */
export function installTracing(o: TracingOptions): boolean {
  if (installed) return true;
  const url = o.endpoint && `${o.endpoint.replace(/\/$/, '')}/v1/traces`;
  const report = o.onExportError ?? ((m: string) => process.emitWarning(m, 'BreakwaterTraceExport'));
  const processor = o.spanProcessor ?? (url ? new BatchSpanProcessor(reportingExporter(new OTLPTraceExporter({ url }), url, report)) : undefined);
  if (!processor) return false;
  const resource = new Resource({ 'service.name': o.serviceName ?? SERVICE_NAME });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  installed = { provider, processor, resource };
  return true;
}

/** Tracing as configured: on with OTEL_EXPORTER_OTLP_ENDPOINT, off without. */
export const installTracingFromConfig = (config: BreakwaterConfig): boolean => installTracing({ endpoint: config.otlpEndpoint });

export const tracingEnabled = (): boolean => installed !== undefined;

/** Flushes pending spans and unregisters the provider (worker shutdown, end of a test). */
export async function shutdownTracing(): Promise<void> {
  const current = installed;
  installed = undefined;
  if (!current) return;
  // A collector that is down was already reported by the exporter: stopping must not fail for it.
  await current.provider.forceFlush().catch(() => undefined);
  await current.provider.shutdown().catch(() => undefined);
  trace.disable();
}

/**
 * Span processor handed to the workflow exporter sink: forwards to the installed provider's processor, and
 * drops spans while tracing is off (the workflow interceptors are bundled either way).
 */
const forwardingProcessor: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (span: ReadableSpan) => installed?.processor.onEnd(span),
  forceFlush: async () => installed?.processor.forceFlush(),
  shutdown: async () => undefined,
};

/** The `exporter` sink the bundled OTel workflow interceptors call (not during replay). */
export const tracingSinks = (): InjectedSinks<OpenTelemetrySinks> => ({
  exporter: makeWorkflowExporter(forwardingProcessor, new Resource({ 'service.name': SERVICE_NAME })),
});

/** RunActivity spans, parented by the workflow's StartActivity span through the activity's headers. */
export const tracingActivityInterceptors = (): ActivityInterceptorsFactory[] => [
  (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
];

/** For `new Client({ interceptors })`: the StartWorkflow span becomes the root of the run's trace. */
export const tracingClientInterceptors = (): ClientInterceptors => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] });
