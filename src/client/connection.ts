/** A Temporal client for the configured server and namespace: used by the CLI and by users' own code. */
import { Client, Connection } from '@temporalio/client';
import type { BreakwaterConfig } from '../config';

export async function connectClient(config: BreakwaterConfig): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 5000 });
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** Link to a workflow run in the Temporal Web UI. */
export const webUiLink = (config: BreakwaterConfig, workflowId: string, runId?: string): string =>
  `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}`;
