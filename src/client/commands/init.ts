/**
 * `npx breakwater init`: a user's project made ready for a first run — the dev payload key
 * (.breakwater/codec-keys, 0600), an approver key for the current user, breakwater.config.json and the
 * .gitignore line that keeps .breakwater/ out of git. Idempotent: what exists is kept, never overwritten.
 */
import { createPublicKey } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { devCodecKeys } from '../../devstack/codecKey';
import { CONFIG_FILE_NAME, projectHome, projectRoot } from '../../projectHome';
import { addApproverKey } from '../../identity/keyFiles';
import { encodePublicKey } from '../../identity/decisionSignature';
import type { CommandContext } from './index';

/** The approver's public line: a new key pair, or the one whose private key is already in `dir`. */
function approverLine(dir: string, name: string): { line: string; file: string; made: boolean } {
  const file = path.join(dir, `${name}.key`);
  if (existsSync(file)) return { line: `${name}=${encodePublicKey(createPublicKey(readFileSync(file, 'utf8')))}`, file, made: false };
  return { ...addApproverKey(dir, name), made: true };
}

export function registerInit(program: Command, ctx: CommandContext): void {
  program
    .command('init')
    .description('make this project ready for a first run: dev codec key, your approver key, breakwater.config.json, .gitignore (keeps what exists)')
    .option('--name <name>', 'the approver name for your key (default: your user name)')
    .action((opts: { name?: string }, cmd: Command) => {
      const root = projectRoot();
      const home = projectHome();
      const made: string[] = [];
      const kept: string[] = [];
      const codecFile = path.join(home, 'codec-keys');
      (existsSync(codecFile) ? kept : made).push(codecFile);
      devCodecKeys(home); // never printed: the key is a secret

      const name = (opts.name ?? os.userInfo().username).replace(/[^\w.@-]/g, '_').slice(0, 100) || 'me';
      const approver = approverLine(ctx.config().identity.keyDir, name);
      (approver.made ? made : kept).push(approver.file);

      const configFile = path.join(root, CONFIG_FILE_NAME);
      if (existsSync(configFile)) kept.push(configFile);
      else {
        // Public keys are not secrets: the approver's line lives in the file. Secrets go by reference only.
        const config = { temporal: { taskQueue: 'breakwater' }, approvers: { keys: [approver.line] } };
        writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
        made.push(configFile);
      }

      const gitignore = path.join(root, '.gitignore');
      const ignored = existsSync(gitignore) && /^\/?\.breakwater\/?$/m.test(readFileSync(gitignore, 'utf8'));
      if (ignored) kept.push(`${gitignore} (.breakwater/)`);
      else {
        const text = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
        appendFileSync(gitignore, `${text && !text.endsWith('\n') ? '\n' : ''}.breakwater/\n`);
        made.push(`${gitignore} (.breakwater/)`);
      }
      const next = 'npx breakwater stack start'; // Temporal and Postgres for this project; then its worker and tests find them
      ctx.output(cmd).result({ ok: true, made, kept, approver: approver.line, next }, () =>
        [...made.map((f) => `made  ${f}`), ...kept.map((f) => `kept  ${f}`), `approver: ${approver.line}`, `next: ${next}`].join('\n'),
      );
    });
}
