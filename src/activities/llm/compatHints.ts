/**
 * Telling "the endpoint cannot take this request" from "the endpoint is having a bad moment". Some servers
 * answer a request they cannot parse with a 5xx (llama-cpp-python: HTTP 500 "Input should be 'text' or
 * 'json_object'"); retrying it six times only delays the escalation. And the person who reads the failure
 * needs to know which profile setting to change, not just that a 500 happened.
 */
import type { CompatProfile } from './profiles';

/** Words request validators put in their errors (pydantic, FastAPI, OpenAI, vLLM, Ollama). */
const VALIDATION = /input should be|validation error|literal_error|extra (inputs|fields)|field required|unrecognized request argument|unknown (parameter|field|argument)|unsupported (parameter|value|response_format)|not supported|is not (a )?valid|invalid (request|value|type|schema|json schema|response_format)|'?type'? must be one of/i;

/** A 5xx whose body says the request itself is wrong: it will fail the same way every time. */
export function isRequestValidationError(status: number, message: string, errorType?: string): boolean {
  if (status < 500) return false;
  if (errorType === 'invalid_request_error' || errorType === 'BadRequestError') return true;
  return VALIDATION.test(message);
}

/** Which profile setting to change for `model`, read from the server's message. */
export function profileHint(message: string, model: string, profile: CompatProfile): string {
  const m = message.toLowerCase();
  const forModel = `for model '${model}' in the models file`;
  if (/json_schema|response_format|json_object/.test(m)) {
    if (profile.structuredOutput.startsWith('json_schema')) return `this endpoint refuses json_schema: set structuredOutput to json_object (or tool_call) ${forModel}`;
    if (profile.structuredOutput === 'json_object') return `this endpoint refuses json_object: set structuredOutput to tool_call or json_schema ${forModel}`;
  }
  if (/max_(completion_)?tokens/.test(m)) {
    // The message often names both ("use max_completion_tokens instead"): the one refused is the one we sent.
    const other = profile.tokenLimitParam === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
    return `this endpoint refuses ${profile.tokenLimitParam}: set tokenLimitParam to ${other} ${forModel}`;
  }
  if (/tool_choice|tools|function/.test(m) && profile.structuredOutput === 'tool_call') return `this endpoint refuses forced tool calls: set structuredOutput to json_object ${forModel}`;
  if (/pattern|regex|grammar|format/.test(m)) return `this endpoint cannot use a JSON Schema keyword: add it to stripKeywords ${forModel} (zod still validates it)`;
  if (/system/.test(m) && profile.systemMessages) return `this endpoint refuses system messages: set systemMessages to false ${forModel}`;
  return `run 'breakwater llm probe --base-url <OPENAI_BASE_URL> --model ${model}' to find the profile this endpoint needs`;
}
