/**
 * A call that cost more than it reserved. The daily cap and the run budget reserve a request's worst case
 * (its input plus the role's maxOutputTokens) before it is sent; a server that ignores the token limit
 * (llama-cpp-python ignores max_completion_tokens: a call capped at 10 tokens generated 4,079) spends past
 * it. The call is recorded at its real cost either way; this says so out loud — the `llm_calls` row is
 * flagged (`over_reservation`), a counter goes up, and one alert per model and day tells a person which
 * setting to change — because an unnoticed overshoot defeats the cap.
 */
import type { Alert } from '../../contracts/alert';
import { nanoToUsd } from '../../deterministic/budget';

export interface OverReservation {
  outputTokens: number;
  maxOutputTokens: number;
  costNanoUsd: number;
  reservedNanoUsd: number;
}

export interface OverReservationNotice extends OverReservation {
  role: string;
  model: string;
  workflowId: string | null;
  tokenLimitParam: string;
}

/** Set when the call's real cost exceeded its reservation, or its output the token limit. */
export function overReservation(o: { usage: { outputTokens: number }; costNanoUsd: number; reservedNanoUsd: number; maxOutputTokens: number }): OverReservation | undefined {
  if (o.costNanoUsd <= o.reservedNanoUsd && o.usage.outputTokens <= o.maxOutputTokens) return undefined;
  return { outputTokens: o.usage.outputTokens, maxOutputTokens: o.maxOutputTokens, costNanoUsd: o.costNanoUsd, reservedNanoUsd: o.reservedNanoUsd };
}

/** The alert: deduplicated per model and UTC day, so a server that always ignores the limit alerts once. */
export function overReservationAlert(n: OverReservationNotice, now = new Date()): Alert {
  const other = n.tokenLimitParam === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
  return {
    title: `LLM call over its reservation: ${n.model}`,
    message:
      `A '${n.role}' call to model '${n.model}' produced ${n.outputTokens} output tokens with a limit of ${n.maxOutputTokens} ` +
      `(cost ${nanoToUsd(n.costNanoUsd)} USD, reserved ${nanoToUsd(n.reservedNanoUsd)} USD): the endpoint ignores ${n.tokenLimitParam}. ` +
      `Set tokenLimitParam to ${other} for this model (breakwater llm probe shows which one it honours). Recorded at its real cost; flagged in llm_calls.over_reservation.`,
    priority: 4,
    tags: ['llm', 'spend'],
    dedupeKey: `llm-over-reservation:${n.model}:${now.toISOString().slice(0, 10)}`,
    ...(n.workflowId ? { workflowId: n.workflowId } : {}),
  };
}
