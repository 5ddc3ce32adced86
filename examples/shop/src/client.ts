/**
 * Starting a run, from your own code: the Temporal client. `node dist/client.js SKU "Title" "Description"`
 * starts one and waits for its result (answer an escalation meanwhile with `npx breakwater resolve`).
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { breakwater } from 'breakwater';
import type { Product } from './contract';
import type { listProduct } from './workflows'; // a type only: the client never loads workflow code

/** Starts a listing run. One run per call: two runs for the same SKU still publish it once. */
export function startListing(client: Client, product: Product, o: { taskQueue: string; workflowId?: string }): Promise<WorkflowHandle<typeof listProduct>> {
  return client.workflow.start<typeof listProduct>('listProduct', {
    taskQueue: o.taskQueue,
    workflowId: o.workflowId ?? `list-${product.sku}-${Date.now()}`,
    args: [product],
  });
}

async function main(): Promise<void> {
  const [sku, title, description = ''] = process.argv.slice(2);
  if (!sku || !title) throw new Error('usage: node dist/client.js SKU "Title" ["Description"]');
  // The plugin on the connection reaches the client too: the configured server (env, breakwater.config.json or
  // the project's stack), its namespace, and the payload codec that encrypts the input and decrypts the result.
  const plugin = breakwater();
  const connection = await Connection.connect({ plugins: [plugin] });
  const client = new Client({ connection });
  try {
    const run = await startListing(client, { sku, title, description }, { taskQueue: plugin.config.temporal.taskQueue });
    process.stdout.write(`started ${run.workflowId}; waiting (npx breakwater escalations shows it if it needs you)\n`);
    process.stdout.write(`${JSON.stringify(await run.result(), null, 2)}\n`);
  } finally {
    await client.connection.close();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`client: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
