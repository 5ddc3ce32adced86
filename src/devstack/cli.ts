/** `npm run stack [-- start|stop|status] [--json]`: the local stack for the demo, the tests and CI. */
import { parseArgs } from 'node:util';
import { readStackState, ensureStack, stopStack } from './stack';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const [command = 'start', ...rest] = parsed.positionals;
  const json = parsed.values.json === true;
  if (parsed.values.help || rest.length || !['start', 'stop', 'status'].includes(command)) {
    process.stdout.write('Usage: npm run stack [-- start|stop|status] [--json]\n');
    return parsed.values.help ? 0 : 2;
  }
  const out = (value: unknown, text: string) => process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);

  if (command === 'stop') {
    const stopped = await stopStack();
    out(stopped, `Stopped: Temporal dev server ${stopped.temporal ? 'yes' : 'was not running'}, Postgres ${stopped.postgres ? 'yes' : 'was not running (or external)'}`);
  } else if (command === 'status') {
    const state = readStackState();
    out(state, JSON.stringify(state, null, 2));
  } else {
    const info = await ensureStack();
    out(
      info,
      [
        `Temporal   ${info.temporal.address}  (${info.temporal.started ? 'started' : 'already running'}, history in ${info.temporal.dbFile})`,
        `Web UI     ${info.temporal.uiUrl}`,
        `Postgres   ${info.postgres.external ? 'DATABASE_URL (external)' : info.postgres.url}  (${info.postgres.started ? 'started' : 'already running'})`,
      ].join('\n'),
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`stack: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
