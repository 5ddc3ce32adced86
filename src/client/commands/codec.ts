/**
 * `breakwater codec-server`: serves Temporal's remote codec protocol over the configured keys, for the Web UI
 * (`temporal server start-dev --ui-codec-endpoint <url>`, or the UI server's codec.endpoint) and the CLI
 * (`temporal workflow show --codec-endpoint <url> --codec-auth "Bearer $BREAKWATER_CODEC_TOKEN"`).
 * `breakwater codec-key`: prints a fresh key-ring entry (and, with --token, a codec server token).
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { requireSetting } from '../../config';
import { InvalidInputError } from '../../errors';
import { payloadCodecFor } from '../../codec/dataConverter';
import { startCodecServer } from '../../codec/codecServer';
import { generateKeySpec } from '../../codec/keys';
import type { CommandContext } from './index';

export function registerCodec(program: Command, ctx: CommandContext): void {
  program
    .command('codec-server')
    .description("decode payloads for the Temporal Web UI and CLI (Temporal's codec protocol; bearer token or /login cookie; loopback unless TLS)")
    .option('--port <port>', 'port to listen on (0: any free port)', '8888')
    .option('--host <host>', 'address to bind (loopback unless BREAKWATER_CODEC_TLS_* is set)', '127.0.0.1')
    .option('--ui-origin <origin>', "the Web UI's origin, the only one CORS lets in (default: TEMPORAL_UI_URL's)")
    .action(async (opts: { port: string; host: string; uiOrigin?: string }, cmd: Command) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidInputError(`--port must be 0..65535, got ${JSON.stringify(opts.port)}`, ['port']);
      let uiOrigin: string;
      try {
        uiOrigin = new URL(opts.uiOrigin ?? ctx.config().temporal.uiUrl).origin;
      } catch {
        throw new InvalidInputError(`--ui-origin must be a URL such as http://localhost:8233, got ${JSON.stringify(opts.uiOrigin)}`, ['ui-origin']);
      }
      const config = ctx.config();
      const token = requireSetting(config.codec.token, 'BREAKWATER_CODEC_TOKEN', 'the codec server needs its own bearer token (at least 32 characters, e.g. from `breakwater codec-key --token`), or BREAKWATER_CODEC_TOKEN_FILE');
      const server = await startCodecServer({ codec: payloadCodecFor(config), token, uiOrigin, host: opts.host, port, tls: config.codec.tls });
      ctx.output(cmd).result({ ok: true, url: server.url, uiOrigin }, () => `codec server: ${server.url}  (for ${uiOrigin}; sign in at ${server.url}/login; Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
  program
    .command('codec-key')
    .description('print a new payload encryption key (id:base64) to put FIRST in BREAKWATER_CODEC_KEYS; --token: a codec server token instead')
    .option('--id <id>', 'the key id (default k<YYYYMMDD>)')
    .option('--token', 'print a random codec server token', false)
    .action((opts: { id?: string; token: boolean }, cmd: Command) => {
      if (opts.token) {
        const token = randomBytes(32).toString('base64url');
        ctx.output(cmd).result({ token }, () => token);
        return;
      }
      let spec: string;
      try {
        spec = generateKeySpec(opts.id);
      } catch (e) {
        throw new InvalidInputError((e as Error).message, ['id']);
      }
      ctx.output(cmd).result({ key: spec }, () => spec);
    });
}
