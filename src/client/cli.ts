/**
 * The `breakwater` command. Every subcommand takes `--json` and `--help`. Exit codes: 0 ok, 1 operational
 * failure (a server unreachable, a workflow failed), 2 usage error (bad arguments or input).
 */
import { Command, CommanderError } from 'commander';
import { getConfig } from '../config';
import { isConfigError, isInvalidInputError } from '../errors';
import { Failure } from '../failures';
import { redactText } from '../redact';
import { checkCommandInput } from './args';
import { registerCommands, type RegisterCommand } from './commands';
import { createOutput } from './output';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliOptions {
  /** Your own commands, next to Breakwater's (e.g. a command that starts your pipeline). */
  commands?: readonly RegisterCommand[];
}

export function buildProgram(options: CliOptions = {}): Command {
  const program = new Command('breakwater')
    .description('Run, inspect and resolve Breakwater pipelines on Temporal.')
    .option('--json', 'machine-readable output', false)
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (_program, actionCommand) => checkCommandInput(actionCommand));
  const ctx = {
    config: getConfig,
    output: (cmd: Command) => createOutput(Boolean(cmd.optsWithGlobals<{ json?: boolean }>().json)),
  };
  registerCommands(program, ctx);
  for (const register of options.commands ?? []) register(program, ctx);
  // Every subcommand: throw instead of exit, so main() maps errors to our exit codes.
  const harden = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(harden);
  };
  harden(program);
  return program;
}

export async function main(argv = process.argv, options: CliOptions = {}): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram(options).parseAsync(argv);
    // A command that reports a failure it printed itself (config check) sets exitCode instead of throwing.
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT_OK;
      if (json) process.stdout.write(`${JSON.stringify({ error: { code: Failure.Usage.type, message: e.message } })}\n`);
      return EXIT_USAGE;
    }
    const err = e as Error & { code?: string };
    const usage = isInvalidInputError(e) || isConfigError(e);
    // An SDK error's own message says what failed ("Failed to list workflows"); its cause says why (the
    // server is unavailable, its persistence is down): both, or a person cannot tell an outage from a bug.
    const causes: string[] = [];
    for (let c = (err as { cause?: unknown }).cause; c instanceof Error && causes.length < 3; c = (c as { cause?: unknown }).cause) {
      if (c.message && !err.message.includes(c.message)) causes.push(c.message);
    }
    const message = redactText([err.message, ...causes].join(': '));
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: err.code ?? Failure.Failed.type, message } })}\n`);
    else process.stderr.write(`breakwater: ${message}\n`);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code), () => process.exit(EXIT_FAILURE));
}
