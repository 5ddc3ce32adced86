/**
 * Real headless Chromium for browser tests: Debian's /usr/bin/chromium (scripts/install-system-deps.sh)
 * driven by playwright-core, with a fresh profile per launch and no background network chatter.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-system-deps.sh (installs Debian's chromium)`);
  const profile = mkdtempSync(path.join(tmpdir(), 'bw-chromium-'));
  // launchPersistentContext is how playwright takes a --user-data-dir: a fresh one per launch.
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** test-artifacts/ at the project root (gitignored): screenshots kept after a run. */
export const artifactsDir = (): string => path.resolve(__dirname, '..', '..', 'test-artifacts');
