/**
 * `breakwater approver add NAME`: an Ed25519 key pair for an approver — the private key into a file only
 * they read, the public line printed for the worker's BREAKWATER_APPROVER_KEYS.
 * `breakwater approver inbox-login NAME`: reads a password on stdin, prints the BREAKWATER_INBOX_USERS entry.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors';
import { addApproverKey } from '../../identity/keyFiles';
import { hashInboxPassword } from '../../identity/inboxLogin';
import type { CommandContext } from './index';

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > 4096) throw new InvalidInputError('password too long (at most 1024 characters)');
  }
  return text.replace(/\r?\n$/, '');
}

export function registerApprover(program: Command, ctx: CommandContext): void {
  const approver = program.command('approver').description('approvers: their signing keys and inbox logins');
  approver
    .command('add <name>')
    .description("make an approver's key pair: the private key to <dir>/<name>.key (0600), the public line to stdout")
    .option('--dir <dir>', 'where the private key goes (default BREAKWATER_APPROVER_KEY_DIR or ~/.breakwater/approvers)')
    .action((name: string, opts: { dir?: string }, cmd: Command) => {
      const { line, file } = addApproverKey(opts.dir ?? ctx.config().identity.keyDir, name);
      ctx.output(cmd).result({ ok: true, name, publicKey: line.slice(name.length + 1), keysEntry: line, privateKeyFile: file }, () =>
        [`private key: ${file} (only you can read it; keep it out of backups others read)`, 'add this entry to the worker\'s BREAKWATER_APPROVER_KEYS (or its keys file):', line].join('\n'),
      );
    });
  approver
    .command('inbox-login <name>')
    .description('read a password on stdin, print the BREAKWATER_INBOX_USERS entry (scrypt hash) for the inbox login')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const password = await readStdin();
      const entry = `${name}=${hashInboxPassword(password)}`;
      if (!/^[\w.@-]{1,100}$/.test(name)) throw new InvalidInputError('approver name must be 1-100 of letters, digits, _ . @ -');
      ctx.output(cmd).result({ ok: true, name, inboxUsersEntry: entry }, () => entry);
    });
}
