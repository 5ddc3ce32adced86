/**
 * `npm run prometheus [-- --target host:port …] [--port N]`: a real Prometheus on loopback scraping the local
 * worker's (or the demo's) `/metrics` — 127.0.0.1:METRICS_PORT, 9464 unset — with Breakwater's alert rules,
 * until Ctrl-C. The worker's METRICS_TOKEN and METRICS_TLS_CERT_PATH, when set, are used for the scrape.
 */
import { loadConfig } from '../config';
import { startPrometheus } from './prometheus';

function flag(args: string[], name: string): string[] {
  return args.flatMap((a, i) => (a === `--${name}` && args[i + 1] ? [args[i + 1]!] : []));
}

async function main(args: string[]): Promise<number> {
  const config = loadConfig();
  const targets = flag(args, 'target');
  const port = flag(args, 'port')[0];
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new Error(`--port: not a port number: ${port}`);
  const prom = await startPrometheus({
    targets: targets.length ? targets : [`127.0.0.1:${config.metrics.port ?? 9464}`],
    token: config.metrics.token,
    caCertPath: config.metrics.tls?.certPath,
    intervalSeconds: 5,
    ...(port ? { port: Number(port) } : {}),
  });
  process.stdout.write(`Prometheus ${prom.url}  (targets ${prom.url}/targets, alerts ${prom.url}/alerts; Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await prom.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`prometheus: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
