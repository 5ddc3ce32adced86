/** A Temporal client for the configured server and namespace: used by the CLI and by users' own code. */
import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { BreakwaterConfig } from '../config';
import { breakwaterDataConverter } from '../codec/dataConverter';
// A cycle (the plugin reads temporalConnectionOptions): both sides use the other only when called.
import { breakwater } from '../workers/plugin';

/**
 * Connection options for Temporal from the config: plain for the dev server; TLS (mTLS with client
 * certificate files, or server-verified) and/or an API key for Temporal Cloud or a secured cluster.
 * Used by the CLI, the workers (NativeConnection takes the same shape) and users' code.
 */
export function temporalConnectionOptions(config: BreakwaterConfig): { address: string; tls?: TLSConfig | boolean; apiKey?: string } {
  const { address, tls, apiKey } = config.temporal;
  const read = (file?: string) => (file ? readFileSync(file) : undefined);
  const tlsConfig: TLSConfig | undefined = tls
    ? {
        serverNameOverride: tls.serverName,
        serverRootCACertificate: read(tls.caPath),
        clientCertPair: tls.certPath && tls.keyPath ? { crt: read(tls.certPath)!, key: read(tls.keyPath)! } : undefined,
      }
    : undefined;
  return { address, ...(tlsConfig ? { tls: tlsConfig } : {}), ...(apiKey ? { apiKey } : {}) };
}

/**
 * A client that encrypts what it sends and decrypts what it reads: a plain Temporal client with the
 * Breakwater plugin, for the configured server and namespace (the CLI's; yours may be `new Client({
 * connection, plugins: [breakwater()] })`).
 */
export async function connectClient(config: BreakwaterConfig): Promise<Client> {
  breakwaterDataConverter(config); // before connecting: no keys is a ConfigError, not a hang
  const plugin = breakwater({ config, alertRelay: false });
  const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: 5000 });
  return new Client({ connection, plugins: [plugin] });
}

/** Link to a workflow run in the Temporal Web UI. */
export const webUiLink = (config: BreakwaterConfig, workflowId: string, runId?: string): string =>
  `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}`;
