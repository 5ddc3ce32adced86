/**
 * `npm run stack [-- start|stop|status] [--json] [--temporal-port N] [--ui-port N]`: the local stack for the
 * demo, the tests and CI — the packaged `breakwater stack` command (src/client/commands/stack.ts), `start`
 * when no subcommand is named.
 */
import { main } from '../client/cli';

const args = process.argv.slice(2);
const named = ['start', 'stop', 'status', 'help'].includes(args[0] ?? '') || args.includes('--help') || args.includes('-h');
main([process.argv[0] ?? 'node', 'breakwater', 'stack', ...(named ? [] : ['start']), ...args]).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
