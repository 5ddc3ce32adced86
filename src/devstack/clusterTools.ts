/**
 * The Temporal server (`go.temporal.io/server/cmd/server`) and its SQL schema tool (`cmd/tools/sql`,
 * `temporal-sql-tool`) at v1.32.2, pinned as Go tools in tools/temporal-server/go.mod and built once per
 * machine into the tools cache (~/.cache/breakwater/tools/go/temporal-server-v1.32.2/), as Jaeger is
 * (jaegerTools.ts). v1.32.2 needs Go 1.26.10+, newer than the machine's Go: the build runs with
 * GOTOOLCHAIN=go1.27.3 (taken from the Go module proxy like a module). TEMPORAL_SERVER_BIN and
 * TEMPORAL_SQL_TOOL_BIN override. The SQL tool carries the module's schema/postgresql/v12 files embedded
 * (`--schema-name postgresql/v12/temporal`), so nothing at run time needs the Go module cache.
 * Cold build measured on the shared 2-core machine: see docs/reliability.md ("Production-configured cluster").
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { ProvisioningError } from '../errors';
import { toolsCacheDir } from '../projectHome';

export const TEMPORAL_SERVER_VERSION = '1.32.2';
/** The Go toolchain v1.32.2 builds with (its go.mod names go 1.26.10). */
export const CLUSTER_GO_TOOLCHAIN = 'go1.27.3';

const toolModuleDir = () => path.resolve(__dirname, '..', '..', 'tools', 'temporal-server');
const toolDir = () => path.join(toolsCacheDir(), 'go', `temporal-server-v${TEMPORAL_SERVER_VERSION}`);

export interface ClusterTools {
  server: string;
  sqlTool: string;
}

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function build(pkg: string, bin: string, log: (line: string) => void): void {
  log(`Building ${pkg}@v${TEMPORAL_SERVER_VERSION} (go tool in ${toolModuleDir()}) into ${bin} — many minutes on 2 cores, once per machine ...`);
  const tmp = `${bin}.tmp-${process.pid}`;
  try {
    execFileSync('nice', ['go', 'build', '-trimpath', '-o', tmp, pkg], {
      cwd: toolModuleDir(),
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60 * 60_000,
      env: { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN && process.env.GOTOOLCHAIN !== 'local' ? process.env.GOTOOLCHAIN : CLUSTER_GO_TOOLCHAIN },
    });
    renameSync(tmp, bin); // atomic: a concurrent caller sees no half-written binary
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new ProvisioningError(
      `Could not build ${pkg}@v${TEMPORAL_SERVER_VERSION}: ${(err.stderr?.toString().trim().split('\n').slice(-3).join(' ') || err.message).slice(0, 400)}. ` +
        `Fix: make 'go' reach the Go module proxy (GOTOOLCHAIN=${CLUSTER_GO_TOOLCHAIN} is fetched from it), or set TEMPORAL_SERVER_BIN and TEMPORAL_SQL_TOOL_BIN.`,
    );
  }
}

function resolve(envVar: string, bin: string, pkg: string, log: (line: string) => void): string {
  const explicit = process.env[envVar];
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new ProvisioningError(`${envVar}=${explicit} is not an executable file`);
  }
  if (isExecutable(bin)) return bin;
  mkdirSync(path.dirname(bin), { recursive: true });
  build(pkg, bin, log);
  return bin;
}

/** Paths of the pinned server and SQL tool, building (nice'd: the machine is shared) what the cache lacks. */
export function ensureClusterTools(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): ClusterTools {
  return {
    server: resolve('TEMPORAL_SERVER_BIN', path.join(toolDir(), 'temporal-server'), 'go.temporal.io/server/cmd/server', log),
    sqlTool: resolve('TEMPORAL_SQL_TOOL_BIN', path.join(toolDir(), 'temporal-sql-tool'), 'go.temporal.io/server/cmd/tools/sql', log),
  };
}
