/**
 * Command-line entry: starts one simulator on 127.0.0.1, prints one JSON
 * line {"simulator","url"} when listening (so a parent process can read the
 * URL of an ephemeral port), and exits cleanly on SIGINT/SIGTERM.
 * Exit codes: 0 clean shutdown, 1 runtime failure, 2 bad command line.
 */
import { UsageError, parseCommandLine, usage, type ParsedCommandLine } from './cliArgs';
import { startEnrichmentSimulator } from './enrichment';
import { loadLlmScenarioFile, startLlmSimulator } from './llm';
import { startPortalSimulator } from './portal';

interface Running {
  url: string;
  close(): Promise<void>;
}

async function startFrom(command: Exclude<ParsedCommandLine, { kind: 'help' }>): Promise<Running> {
  switch (command.kind) {
    case 'portal':
      return startPortalSimulator(command.options);
    case 'enrichment':
      return startEnrichmentSimulator(command.options);
    case 'llm': {
      let scenario;
      if (command.scenarioFile !== undefined) {
        try {
          scenario = await loadLlmScenarioFile(command.scenarioFile);
        } catch (err) {
          // A missing or invalid scenario file is a command-line mistake.
          throw new UsageError((err as Error).message);
        }
      }
      return startLlmSimulator({ scenario, port: command.port });
    }
  }
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  let command: ParsedCommandLine;
  let running: Running;
  try {
    command = parseCommandLine(argv, env);
    if (command.kind === 'help') {
      process.stdout.write(`${usage}\n`);
      return;
    }
    running = await startFrom(command);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`simulators: ${err.message}\n(run with --help for usage)\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  process.stdout.write(`${JSON.stringify({ simulator: command.kind, url: running.url })}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`simulators: error while stopping on ${signal}: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).catch((err: unknown) => {
    process.stderr.write(`simulators: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
