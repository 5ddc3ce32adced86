/**
 * The prebuilt workflow bundle. `npm run build` writes it once, so workers and tests start without
 * running webpack each time; a worker falls back to bundling at start when it is missing.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { otelWorkflowInterceptorModule } from '../observability/tracing';

/** dist/workflows: the compiled workflow sources (this file lives in dist/workers). */
export const workflowsPath = (): string => path.resolve(__dirname, '..', 'workflows');
export const workflowBundlePath = (): string => path.resolve(__dirname, '..', 'workflow-bundle.js');

/** Workflow interceptors bundled into every run: metrics (sinks) and OpenTelemetry spans. */
export const workflowInterceptorModules = (): string[] => [path.resolve(__dirname, '..', 'workflows', 'observabilityInterceptors'), otelWorkflowInterceptorModule()];

export function prebuiltBundle(): { codePath: string } | undefined {
  const codePath = workflowBundlePath();
  return existsSync(codePath) ? { codePath } : undefined;
}

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), workflowInterceptorModules: workflowInterceptorModules(), logger: new DefaultLogger('WARN') });
  writeFileSync(workflowBundlePath(), code);
  process.stdout.write(`workflow bundle: ${path.relative(process.cwd(), workflowBundlePath())} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bundle failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
