/**
 * One OpenTelemetry span per model request, with the GenAI semantic-convention attributes. Uses only
 * @opentelemetry/api: without an SDK registered the spans are no-ops and cost next to nothing.
 */
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

export const tracer = () => trace.getTracer('breakwater');

export interface GenAiRequest {
  provider: string;
  model: string;
  role: string;
  schemaName: string;
  temperature: number;
  maxOutputTokens: number;
}

export function startChatSpan(r: GenAiRequest): Span {
  return tracer().startSpan(`chat ${r.model}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': r.provider,
      'gen_ai.system': r.provider,
      'gen_ai.request.model': r.model,
      'gen_ai.request.temperature': r.temperature,
      'gen_ai.request.max_tokens': r.maxOutputTokens,
      'gen_ai.output.type': 'json',
      'breakwater.agent.role': r.role,
      'breakwater.agent.schema': r.schemaName,
    },
  });
}

export function endChatSpan(
  span: Span,
  r: { responseModel?: string; inputTokens?: number; outputTokens?: number; responseId?: string; finishReason?: string; costUsd?: number; cacheHit?: boolean; error?: string },
): void {
  if (r.responseModel) span.setAttribute('gen_ai.response.model', r.responseModel);
  if (r.inputTokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', r.inputTokens);
  if (r.outputTokens !== undefined) span.setAttribute('gen_ai.usage.output_tokens', r.outputTokens);
  if (r.responseId) span.setAttribute('gen_ai.response.id', r.responseId);
  if (r.finishReason) span.setAttribute('gen_ai.response.finish_reasons', [r.finishReason]);
  if (r.costUsd !== undefined) span.setAttribute('breakwater.cost_usd', r.costUsd);
  if (r.cacheHit !== undefined) span.setAttribute('breakwater.cache_hit', r.cacheHit);
  if (r.error) {
    span.setAttribute('error.type', r.error.slice(0, 100));
    span.setStatus({ code: SpanStatusCode.ERROR, message: r.error });
  }
  span.end();
}
