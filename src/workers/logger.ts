/**
 * pino for the worker process, and an adapter so the Temporal runtime (and with it the workflow and
 * activity loggers, which add workflowId, runId and activityId to every line) writes through pino.
 * Every line passes the secret redactor.
 */
import pino from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { redactText, redactValue } from '../redact';

export type AppLogger = pino.Logger;

export function createLogger(level: pino.LevelWithSilent = 'info', destination?: pino.DestinationStream): AppLogger {
  return pino(
    {
      level,
      base: { service: 'breakwater' },
      formatters: { log: (obj) => redactValue(obj) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

const levels: Record<LogLevel, pino.Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** A Temporal `Logger` backed by pino; pass it to `Runtime.install({ logger })`. */
export function temporalLogger(logger: AppLogger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[levels[level]](meta ?? {}, message);
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
