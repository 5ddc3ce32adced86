/**
 * What a probe's findings mean for the models file: the compatibility profile to paste, why each setting was
 * chosen, and the findings as a table for people (`breakwater llm probe` without --json).
 */
import { compatSettingFor, openAiProfile, type CompatProfile, type StructuredOutputMode } from '../activities/llm/profiles';
import { table } from './output';
import type { ProbeFindings } from './llmProbe';

/** Preferred first: the modes that constrain the answer the most. json_object is the fallback that almost every server takes. */
const preference: StructuredOutputMode[] = ['json_schema_strict', 'json_schema', 'tool_call', 'json_object'];

export interface SuggestedProfile {
  profile: CompatProfile;
  /** Why each setting is what it is. */
  reasons: string[];
  /** The model's entry for config/models.json (prices are yours to fill in). */
  paste: { models: Record<string, { inputUsdPerMillion: number; outputUsdPerMillion: number; compat: Partial<CompatProfile> }> };
}

export function suggestProfile(f: ProbeFindings): SuggestedProfile {
  const reasons: string[] = [];
  const supported = preference.filter((m) => f.structuredOutput.find((s) => s.mode === m)?.supported);
  const valid = supported.filter((m) => f.structuredOutput.find((s) => s.mode === m)?.valid);
  const structuredOutput = valid[0] ?? supported[0] ?? 'json_object';
  reasons.push(supported.length ? `structuredOutput ${structuredOutput}: accepted modes ${supported.join(', ')}${valid.length ? `; answered the probe's schema: ${valid.join(', ')}` : '; none answered within the schema'}` : 'structuredOutput json_object: no mode was accepted (fallback)');
  const honoured = f.tokenLimit.find((t) => t.param === 'max_completion_tokens')?.honoured ? 'max_completion_tokens' : f.tokenLimit.find((t) => t.param === 'max_tokens')?.honoured ? 'max_tokens' : undefined;
  const tokenLimitParam = honoured ?? 'max_tokens';
  reasons.push(honoured ? `tokenLimitParam ${tokenLimitParam}: honoured (${f.tokenLimit.map((t) => `${t.param} ${t.limit} → ${t.completionTokens ?? '?'} tokens`).join(', ')})` : 'tokenLimitParam max_tokens: neither parameter was seen honoured; over-limit calls will be flagged and alerted');
  const stripKeywords = f.patternKeyword?.some((p) => p.crashed || (p.status !== null && p.status !== 200)) ? ['pattern'] : [];
  reasons.push(f.patternKeyword ? (stripKeywords.length ? 'stripKeywords [pattern]: a schema with `pattern` crashed or was refused' : 'stripKeywords []: `pattern` was accepted') : 'stripKeywords: not checked (--check-keywords)');
  const systemMessages = f.systemMessagesKept !== false;
  reasons.push(f.systemMessagesKept === null ? 'systemMessages true: not measurable without usage' : `systemMessages ${systemMessages}: prompt tokens ${f.systemProbe.promptTokensWithout} without a long system message, ${f.systemProbe.promptTokensWith} with it`);
  const usage = f.usageReported ? 'reported' : 'estimated';
  reasons.push(`usage ${usage}: ${f.usageReported ? 'present in the answers' : 'absent: tokens will be estimated and marked so'}`);
  const profile: CompatProfile = { ...openAiProfile, structuredOutput, tokenLimitParam, stripKeywords, systemMessages, usage };
  return { profile, reasons, paste: { models: { [f.model]: { inputUsdPerMillion: 0, outputUsdPerMillion: 0, compat: compatSettingFor(profile) } } } };
}

const yesNo = (b: boolean | null): string => (b === null ? 'unknown' : b ? 'yes' : 'no');
const status = (s: number | null): string => (s === null ? 'no answer' : String(s));

export function renderProbe(f: ProbeFindings, s: SuggestedProfile): string {
  const rows = [
    ['feature', 'result', 'HTTP', 'ms', 'note'],
    ...f.structuredOutput.map((m) => [`structured output: ${m.mode}`, m.supported ? (m.valid ? 'supported, valid answer' : 'supported, answer off-schema') : 'not supported', status(m.status), String(m.latencyMs), m.error?.slice(0, 100) ?? '']),
    ...f.tokenLimit.map((t) => [`token limit: ${t.param}`, t.honoured === null ? 'unknown' : t.honoured ? 'honoured' : 'ignored', status(t.status), String(t.latencyMs), `limit ${t.limit}, generated ${t.completionTokens ?? '?'}${t.error ? `; ${t.error.slice(0, 80)}` : ''}`]),
    ['usage reported', yesNo(f.usageReported), '', '', ''],
    ['tool calls', yesNo(f.toolCalls), '', '', ''],
    ['system messages kept', yesNo(f.systemMessagesKept), '', '', `prompt tokens ${f.systemProbe.promptTokensWithout ?? '?'} → ${f.systemProbe.promptTokensWith ?? '?'}`],
    ...(f.patternKeyword ?? []).map((p) => [`pattern keyword (${p.mode})`, p.crashed ? 'server crashed' : p.status === 200 ? 'accepted' : 'refused', status(p.status), '', p.error?.slice(0, 100) ?? '']),
  ];
  return [
    `${f.baseUrl} model ${f.model}: latency min ${f.latencyMs.min} ms, median ${f.latencyMs.median} ms, max ${f.latencyMs.max} ms`,
    '',
    table(rows),
    '',
    'Suggested profile:',
    ...s.reasons.map((r) => `  - ${r}`),
    '',
    'Paste into the models file (config/models.json; set the prices):',
    JSON.stringify(s.paste, null, 2),
  ].join('\n');
}
