/**
 * Bounds on every CLI argument, checked once before any command runs (a commander preAction hook): no
 * command sees an oversized or control-character-laden value, and ids are checked before they reach the
 * server — so a bad id is a usage error (exit 2), not "not found" (exit 1).
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../errors';

/** Temporal's default limit on workflow and run ids. */
export const MAX_ID_CHARS = 1000;
/** Any other argument or option value (payloads come from files, not the command line). */
export const MAX_ARG_CHARS = 10_000;

const ID_CONTROL = /\p{Cc}/u; // ids are single-line: no control character at all
const TEXT_CONTROL = /(?![\t\n\r])\p{Cc}/u; // free text (a --reason) may span lines
const ID_ARGUMENT = /(workflowId|runId|pipeline|step|id)$/i;

export function checkValue(name: string, value: string, isId: boolean): void {
  const max = isId ? MAX_ID_CHARS : MAX_ARG_CHARS;
  if (isId && value.trim().length === 0) throw new InvalidInputError(`${name} must not be empty`);
  if (value.length > max) throw new InvalidInputError(`${name} is too long (${value.length} characters; at most ${max})`);
  if ((isId ? ID_CONTROL : TEXT_CONTROL).test(value)) throw new InvalidInputError(`${name} must not contain control characters`);
}

/** Validates the positional arguments and option values of the command about to run. */
export function checkCommandInput(command: Command): void {
  command.registeredArguments.forEach((arg, i) => {
    const value: unknown = command.processedArgs[i];
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string') checkValue(`<${arg.name()}>`, v, ID_ARGUMENT.test(arg.name()));
    }
  });
  for (const [key, value] of Object.entries(command.opts())) {
    if (typeof value === 'string') checkValue(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value, /^(run|workflowId)$/.test(key));
  }
}
