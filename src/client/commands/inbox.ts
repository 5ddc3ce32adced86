/**
 * `breakwater inbox`: the escalation inbox on localhost — every run waiting for a person, with approve /
 * reject / retry buttons that send the same `resolve` Update as `breakwater resolve`, in the logged-in
 * approver's name, signed by the inbox's key (BREAKWATER_INBOX_KEY_FILE).
 * Runs until Ctrl-C.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ConfigError, InvalidInputError } from '../../errors';
import { privateKeyFromPem } from '../../identity/decisionSignature';
import { startInbox } from '../../observability/inbox/server';
import { createPool } from '../../store/db';
import { connectClient, webUiLink } from '../connection';
import type { CommandContext } from './index';

export function registerInbox(program: Command, ctx: CommandContext): void {
  program
    .command('inbox')
    .description('a web page on localhost: runs waiting for a person (approve / reject / retry), and the run viewer (/runs, /incidents, /cost)')
    .option('--port <port>', 'port to listen on (0: any free port)', '8787')
    .option('--host <host>', 'address to bind (beyond loopback only with BREAKWATER_INBOX_TLS_* and BREAKWATER_INBOX_USERS)', '127.0.0.1')
    .action(async (opts: { port: string; host: string }, cmd: Command) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidInputError(`--port must be 0..65535, got ${JSON.stringify(opts.port)}`, ['port']);
      const config = ctx.config();
      const client = await connectClient(config);
      const db = config.database.url ? createPool(config.database) : undefined;
      const { inbox: ic } = config;
      const read = (file: string, variable: string) => {
        try {
          return readFileSync(file, 'utf8');
        } catch (e) {
          throw new ConfigError(`${variable}: cannot read ${file}: ${(e as Error).message}`, [variable]);
        }
      };
      const signer = ic.keyFile ? { name: ic.signer, key: privateKeyFromPem(read(ic.keyFile, 'BREAKWATER_INBOX_KEY_FILE')) } : undefined;
      const tls = ic.tls ? { cert: read(ic.tls.certPath, 'BREAKWATER_INBOX_TLS_CERT'), key: read(ic.tls.keyPath, 'BREAKWATER_INBOX_TLS_KEY') } : undefined;
      const inbox = await startInbox({
        client,
        db,
        port,
        host: opts.host,
        link: (id, run) => webUiLink(config, id, run || undefined),
        dailyCapUsd: config.dailySpendCapUsd,
        auth: { users: ic.users, userHeader: ic.userHeader },
        signer,
        tls,
      }).catch(async (e: unknown) => {
        await db?.end();
        await client.connection.close();
        throw e;
      });
      ctx.output(cmd).result({ ok: true, url: inbox.url }, () => `inbox: ${inbox.url}  (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await inbox.close();
      await db?.end();
      await client.connection.close();
    });
}
