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
import path from 'node:path';
import { ensureGoTool, type GoTool } from './goTools';
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

const tool = (envVar: string, file: string, pkg: string): GoTool => ({
  name: `${pkg}@v${TEMPORAL_SERVER_VERSION}`, envVar, bin: path.join(toolDir(), file), moduleDir: toolModuleDir(), pkg, timeoutMs: 60 * 60_000,
  expect: 'many minutes on 2 cores, once per machine',
  env: { GOTOOLCHAIN: process.env.GOTOOLCHAIN && process.env.GOTOOLCHAIN !== 'local' ? process.env.GOTOOLCHAIN : CLUSTER_GO_TOOLCHAIN },
  fix: `make 'go' reach the Go module proxy (GOTOOLCHAIN=${CLUSTER_GO_TOOLCHAIN} is fetched from it), or set TEMPORAL_SERVER_BIN and TEMPORAL_SQL_TOOL_BIN.`,
});

/** Paths of the pinned server and SQL tool, building (nice'd: the machine is shared) what the cache lacks. */
export function ensureClusterTools(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): ClusterTools {
  return {
    server: ensureGoTool(tool('TEMPORAL_SERVER_BIN', 'temporal-server', 'go.temporal.io/server/cmd/server'), log),
    sqlTool: ensureGoTool(tool('TEMPORAL_SQL_TOOL_BIN', 'temporal-sql-tool', 'go.temporal.io/server/cmd/tools/sql'), log),
  };
}
