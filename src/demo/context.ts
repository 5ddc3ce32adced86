/** What every part of `npm run demo` gets: a client, the database, a running worker, the simulators, the CLI. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { BreakwaterConfig } from '../config';
import { packageRoot } from '../devstack/paths';
import type { Db } from '../store/db';

export interface DemoRow {
  scenario: string;
  outcome: string;
  detail: string;
}

export interface DemoContext {
  client: Client;
  db: Db;
  config: BreakwaterConfig;
  taskQueue: string;
  log: (line: string) => void;
  /** Runs `breakwater <args>` as a user would, with the demo's environment. */
  cli: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  simulators: { portalUrl: string; llmUrl: string; enrichmentUrl: string };
}

export function cliRunner(env: NodeJS.ProcessEnv): DemoContext['cli'] {
  const bin = path.join(packageRoot(), 'dist', 'pipelines', 'cli.js'); // Breakwater's CLI + the reference `submit`
  return (args) =>
    new Promise((resolve) => {
      execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
}
