/** `npm run jaeger`: a local Jaeger on loopback for a developer; prints the endpoint to export to. Ctrl-C stops it. */
import { startJaeger } from './jaegerTools';

startJaeger().then(
  (j) => {
    process.stdout.write(`Jaeger query API: ${j.queryUrl}/api/traces?service=breakwater\nExport to it:     OTEL_EXPORTER_OTLP_ENDPOINT=${j.otlpEndpoint} npm run worker\n`);
    const stop = () => void j.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (e: unknown) => {
    process.stderr.write(`jaeger: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
