/**
 * Compatibility profiles: what an OpenAI-compatible endpoint accepts, per model, so `callModel` shapes its
 * request to fit instead of failing. "OpenAI-compatible" servers differ in the structured-output modes they
 * take, the token-limit parameter they honour, the JSON Schema keywords their grammar converters survive,
 * whether they keep system messages and whether they report usage. A profile names one choice for each; a
 * model in config/models.json takes `compat: "<preset>"` or `compat: { preset?, ...overrides }`.
 *
 * The presets are starting points: `breakwater llm probe` measures an endpoint and prints the profile to
 * paste. Which preset fields were measured and which come from vendor docs: docs/compatibility.md.
 */
import { z } from 'zod';

export const structuredOutputModes = ['json_schema_strict', 'json_schema', 'json_object', 'tool_call'] as const;
export type StructuredOutputMode = (typeof structuredOutputModes)[number];

export const compatProfileSchema = z.strictObject({
  /**
   * How the answer's shape is asked for: `response_format` json_schema with strict true (OpenAI), json_schema
   * without strict, `json_object` with the schema written into the prompt, or a forced call of one tool whose
   * parameters are the schema. zod validates the answer in full whichever is used.
   */
  structuredOutput: z.enum(structuredOutputModes),
  /** The parameter that carries the role's maxOutputTokens. OpenAI's reasoning models refuse max_tokens; many servers ignore max_completion_tokens. */
  tokenLimitParam: z.enum(['max_completion_tokens', 'max_tokens']),
  /** JSON Schema keywords removed from the schema sent (e.g. `pattern` crashes some grammar converters); zod still checks them. */
  stripKeywords: z.array(z.string().min(1).max(64)).max(50),
  /** False: system messages are folded into the first user message (some chat templates drop them silently). */
  systemMessages: z.boolean(),
  /** `estimated`: the endpoint's usage is absent or not to be trusted; tokens are estimated from the text and the cost marked estimated. */
  usage: z.enum(['reported', 'estimated']),
});
export type CompatProfile = z.infer<typeof compatProfileSchema>;

export const openAiProfile: CompatProfile = { structuredOutput: 'json_schema_strict', tokenLimitParam: 'max_completion_tokens', stripKeywords: [], systemMessages: true, usage: 'reported' };

/**
 * Named starting points. `llama-cpp-python` was measured (npm run check:llm); the others follow the
 * vendors' documentation of their OpenAI-compatible APIs (docs/compatibility.md marks which is which).
 */
export const compatPresets = {
  openai: openAiProfile,
  // Ollama's /v1 takes response_format json_schema (its own grammar, `strict` ignored) and documents max_tokens.
  ollama: { structuredOutput: 'json_schema', tokenLimitParam: 'max_tokens', stripKeywords: [], systemMessages: true, usage: 'reported' },
  // vLLM guided decoding honours json_schema; max_tokens is its native limit (max_completion_tokens is accepted too).
  vllm: { structuredOutput: 'json_schema', tokenLimitParam: 'max_tokens', stripKeywords: [], systemMessages: true, usage: 'reported' },
  // llama.cpp's own llama-server converts json_schema to a grammar; n_predict/max_tokens is its limit.
  'llama-server': { structuredOutput: 'json_schema', tokenLimitParam: 'max_tokens', stripKeywords: [], systemMessages: true, usage: 'reported' },
  // llama-cpp-python's server: json_schema refused (500), max_completion_tokens ignored, `pattern` crashed it,
  // the `gemma` chat format drops system messages (measured: docs/compatibility.md).
  'llama-cpp-python': { structuredOutput: 'json_object', tokenLimitParam: 'max_tokens', stripKeywords: ['pattern'], systemMessages: false, usage: 'reported' },
  // LM Studio documents response_format json_schema (structured output) and max_tokens.
  lmstudio: { structuredOutput: 'json_schema', tokenLimitParam: 'max_tokens', stripKeywords: [], systemMessages: true, usage: 'reported' },
} as const satisfies Record<string, CompatProfile>;
export type CompatPresetName = keyof typeof compatPresets;

const presetName = z.enum(Object.keys(compatPresets) as [CompatPresetName, ...CompatPresetName[]]);

/** How a model's `compat` is written in the models file: a preset's name, or a preset plus overrides. */
export const compatSettingSchema = z.union([presetName, compatProfileSchema.partial().extend({ preset: presetName.optional() }).strict()]);
export type CompatSetting = z.input<typeof compatSettingSchema>;

/** The profile a setting means: the preset (default openai) with its overrides. */
export function resolveCompat(setting: z.output<typeof compatSettingSchema> | undefined): CompatProfile {
  if (setting === undefined) return openAiProfile;
  if (typeof setting === 'string') return { ...compatPresets[setting], stripKeywords: [...compatPresets[setting].stripKeywords] };
  const { preset, ...overrides } = setting;
  const base = compatPresets[preset ?? 'openai'];
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return compatProfileSchema.parse({ ...base, stripKeywords: [...base.stripKeywords], ...defined });
}

/** The setting that differs from openai as little as needed: what the probe prints to paste. */
export function compatSettingFor(profile: CompatProfile): Partial<CompatProfile> {
  return Object.fromEntries(Object.entries(profile).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(openAiProfile[k as keyof CompatProfile])));
}
