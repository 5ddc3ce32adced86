import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APIConnectionTimeoutError, APIError } from 'openai';
import { backoffDelayMs, classifyRequestError, retryAfterMs } from './failures';
import { compatPresets } from './profiles';

const fixed = (random: number) => ({ baseMs: 1000, maxMs: 30_000, random: () => random });
const apiError = (status: number, headers: Record<string, string> = {}) => APIError.generate(status, { message: 'x' }, 'x', new Headers(headers));

test('Retry-After is read from retry-after-ms, seconds, or an HTTP date', () => {
  assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' })), 1500);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000), 6000);
  assert.equal(retryAfterMs(new Headers({})), undefined);
});

test('429 waits at least Retry-After, plus up to 20 % jitter; never less', () => {
  const low = classifyRequestError(apiError(429, { 'retry-after': '2' }), 1, fixed(0)).failure;
  const high = classifyRequestError(apiError(429, { 'retry-after': '2' }), 1, fixed(0.999)).failure;
  assert.equal(low.nextRetryDelay, 2000);
  assert.ok(Number(high.nextRetryDelay) > 2000 && Number(high.nextRetryDelay) <= 2400);
  assert.equal(low.nonRetryable, false);
});

test('5xx and timeouts retry with exponential backoff and jitter; other 4xx do not retry', () => {
  assert.deepEqual([backoffDelayMs(1, fixed(0)), backoffDelayMs(3, fixed(0)), backoffDelayMs(3, fixed(0.999))], [500, 2000, 3998]);
  assert.equal(backoffDelayMs(20, fixed(0)), 15_000);
  const s500 = classifyRequestError(apiError(503), 2, fixed(0.5));
  assert.deepEqual([s500.failure.type, s500.failure.nonRetryable, s500.failure.nextRetryDelay], ['BW_LLM_UNAVAILABLE', false, 1500]);
  const timeout = classifyRequestError(new APIConnectionTimeoutError(), 1, fixed(0));
  assert.deepEqual([timeout.failure.type, timeout.outcome, timeout.failure.nonRetryable], ['BW_LLM_UNAVAILABLE', 'network-error', false]);
  for (const status of [400, 401, 403, 404, 422]) {
    const c = classifyRequestError(apiError(status), 1, fixed(0));
    assert.deepEqual([c.failure.type, c.failure.nonRetryable], ['BW_LLM_REQUEST_REJECTED', true], String(status));
  }
});

test("a 5xx whose body is a request-validation error is not retried, and says which profile setting to change", () => {
  const req = { model: 'gemma-3-270m', profile: compatPresets.openai };
  const refused = APIError.generate(500, { error: { message: "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\"}]", type: 'internal_server_error' } }, undefined, new Headers());
  const c = classifyRequestError(refused, 1, fixed(0), req);
  assert.deepEqual([c.failure.type, c.failure.nonRetryable, c.httpStatus], ['BW_LLM_INCOMPATIBLE', true, 500]);
  assert.match(c.failure.message, /Input should be 'text' or 'json_object'/);
  assert.match(c.failure.message, /this endpoint refuses json_schema: set structuredOutput to json_object \(or tool_call\) for model 'gemma-3-270m'/);
  // A plain 500 stays transient.
  const plain = classifyRequestError(APIError.generate(500, { error: { message: 'CUDA out of memory', type: 'server_error' } }, undefined, new Headers()), 1, fixed(0), req);
  assert.deepEqual([plain.failure.type, plain.failure.nonRetryable], ['BW_LLM_UNAVAILABLE', false]);
  // A 400 naming a parameter gets the hint for that parameter.
  const tokens = classifyRequestError(APIError.generate(400, { error: { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", type: 'invalid_request_error' } }, undefined, new Headers()), 1, fixed(0), { model: 'o3', profile: { ...compatPresets.openai, tokenLimitParam: 'max_tokens' } });
  assert.equal(tokens.failure.type, 'BW_LLM_INCOMPATIBLE');
  assert.match(tokens.failure.message, /set tokenLimitParam to max_completion_tokens for model 'o3'/);
});
