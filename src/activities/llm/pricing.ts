/** The cost of one request: Σ tokens × price, exact, in nano-dollars (and as a NUMERIC string). */
import { costNano, nanoToDecimal, nanoToUsd } from '../../deterministic/budget';
import type { ModelPrice } from './models';

export interface PricedUsage {
  inputTokens: number;
  outputTokens: number;
  costNanoUsd: number;
  costUsd: number;
  /** For NUMERIC columns, exact. */
  costDecimal: string;
}

export function priceUsage(usage: { inputTokens: number; outputTokens: number }, price: ModelPrice): PricedUsage {
  const nano = costNano(usage, price);
  return { ...usage, costNanoUsd: nano, costUsd: nanoToUsd(nano), costDecimal: nanoToDecimal(nano) };
}

/**
 * Worst-case tokens of a request before it is sent, for the daily cap's reservation. A BPE token is at
 * least one byte, so UTF-8 bytes (plus per-message framing) bound the input; max_completion_tokens bounds
 * the output. Deliberately pessimistic: the cap must never be crossed by a call already in flight.
 */
export function worstCaseUsage(requestText: string, messageCount: number, maxOutputTokens: number): { inputTokens: number; outputTokens: number } {
  return { inputTokens: Buffer.byteLength(requestText, 'utf8') + 8 * messageCount + 16, outputTokens: maxOutputTokens };
}

/**
 * Tokens of a text when the endpoint reports none: about 4 UTF-8 bytes a token, the usual ratio of BPE
 * tokenizers on English and JSON. An estimate, not a bound: what it prices is recorded as estimated.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}
