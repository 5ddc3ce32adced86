/**
 * Go programs pinned as tools in a go.mod of the repo (tools/<name>/go.mod, a `tool` directive) and built
 * once per machine into the tools cache: Jaeger (jaegerTools.ts), the Temporal server and its SQL tool
 * (clusterTools.ts). An env variable names a binary of the user's own instead. The build is nice'd (the
 * machine is shared), goes to a temporary file and is renamed into place (a concurrent caller never sees a
 * half-written binary); a failure says how `go` stopped and its own error line, not its download progress.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { ProvisioningError } from '../errors';

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface GoTool {
  /** What the log and errors call it: "Jaeger v1.75.0". */
  name: string;
  /** The variable naming a binary of the user's own (checked, never built). */
  envVar: string;
  /** Where the built binary is cached. */
  bin: string;
  /** The repo folder whose go.mod pins it. */
  moduleDir: string;
  /** The package to build. */
  pkg: string;
  /** How long a cold build may take, and what the log line promises. */
  timeoutMs: number;
  expect: string;
  /** Extra environment for go (GOTOOLCHAIN). */
  env?: Record<string, string>;
  /** The "Fix: …" sentence of the error. */
  fix: string;
}

/** The binary's path: the env variable's, else the cached one, else built now. */
export function ensureGoTool(t: GoTool, log: (line: string) => void): string {
  const explicit = process.env[t.envVar];
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new ProvisioningError(`${t.envVar}=${explicit} is not an executable file`);
  }
  if (isExecutable(t.bin)) return t.bin;
  mkdirSync(path.dirname(t.bin), { recursive: true });
  log(`Building ${t.name} (go tool in ${t.moduleDir}) into ${t.bin} — ${t.expect} ...`);
  const tmp = `${t.bin}.tmp-${process.pid}`;
  try {
    execFileSync('nice', ['go', 'build', '-trimpath', '-o', tmp, t.pkg], { cwd: t.moduleDir, stdio: ['ignore', 'ignore', 'pipe'], timeout: t.timeoutMs, env: { ...process.env, ...t.env } });
    renameSync(tmp, t.bin);
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string; status?: number | null; signal?: string | null };
    const lines = (err.stderr?.toString() ?? '').trim().split('\n').filter((l) => l && !/^go: (downloading|finding|extracting) /.test(l));
    const how = err.signal ? `killed by ${err.signal}` : `exit ${err.status ?? '?'}`;
    throw new ProvisioningError(`Could not build ${t.name} (go build ${how}): ${(lines.slice(-3).join(' ') || err.message).slice(0, 400)}. Fix: ${t.fix}`);
  }
  return t.bin;
}
