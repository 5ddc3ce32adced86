/**
 * The agent layer's activity: `callModel`.
 * The models config is loaded here, when the worker starts: an unknown model is an error now, not later.
 */
import { heartbeating } from '../heartbeat';
import OpenAI from 'openai';
import type { BreakwaterConfig } from '../../config';
import { optionalSealerFor } from '../../codec/dataConverter';
import { registerSecrets } from '../../redact';
import type { Db } from '../../store/db';
import { createDailyCap } from '../../store/dailySpend';
import { createLlmCache } from '../../store/llmCache';
import { createCallRecorder } from '../../store/llmCalls';
import { recordLlmOverReservation } from '../../observability/metrics';
import { createAlertActivities } from '../alerts';
import { createCallModel } from './callModel';
import { overReservationAlert, type OverReservationNotice } from './overReservation';
import { defaultBackoff, type BackoffOptions } from './failures';
import { defaultModelsFile, loadModelsConfig, type ModelsConfig } from './models';

export interface LlmDeps {
  db: Db;
  config: BreakwaterConfig;
  /** Default: loaded from config.modelsFile (BREAKWATER_MODELS_FILE), else <root>/config/models.json. */
  models?: ModelsConfig;
  /** Default: an `openai` client on OPENAI_BASE_URL / OPENAI_API_KEY with maxRetries 0 (Temporal retries). */
  client?: OpenAI;
  backoff?: Partial<BackoffOptions>;
  /** Per-request HTTP timeout. Keep it under the activity's startToCloseTimeout. Default 60 s. */
  requestTimeoutMs?: number;
}

export function createOpenAiClient(config: BreakwaterConfig, timeoutMs = 60_000): OpenAI {
  return new OpenAI({
    // Local OpenAI-compatible servers (Ollama, vLLM, the simulator) need no key; the client insists on one.
    apiKey: config.openai.apiKey ?? 'no-key-configured',
    baseURL: config.openai.baseUrl ?? 'https://api.openai.com/v1',
    maxRetries: 0,
    timeout: timeoutMs,
  });
}

export function createLlmActivities(deps: LlmDeps) {
  registerSecrets(deps.config.openai.apiKey);
  const models = deps.models ?? loadModelsConfig(deps.config.modelsFile ?? defaultModelsFile());
  const requestTimeoutMs = deps.requestTimeoutMs ?? 60_000;
  const cap = createDailyCap(deps.db, deps.config.dailySpendCapUsd);
  // One alert per model and UTC day (the key carries the day; the window keeps repeats suppressed all day).
  const { sendAlert } = createAlertActivities({ db: deps.db, config: deps.config, dedupeWindowMs: 24 * 3600_000 });
  async function onOverReservation(n: OverReservationNotice): Promise<void> {
    recordLlmOverReservation(n.role, n.model);
    await sendAlert(overReservationAlert(n));
  }
  return {
    // Heartbeats while waiting for the model: a worker killed mid-call is noticed within the heartbeat timeout.
    callModel: heartbeating(createCallModel({
      client: deps.client ?? createOpenAiClient(deps.config, requestTimeoutMs),
      models,
      cap,
      cache: createLlmCache(deps.db, { sealer: optionalSealerFor(deps.config) }), // answers stored sealed, keys keyed
      recorder: createCallRecorder(deps.db, cap, { content: deps.config.llmContent }),
      backoff: { ...defaultBackoff, ...deps.backoff },
      requestTimeoutMs,
      onOverReservation,
    })),
  };
}
