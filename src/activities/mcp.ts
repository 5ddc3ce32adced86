/**
 * Tools from MCP servers, wrapped the same way as your own: `connectMcpTools(servers)` connects (stdio or
 * Streamable HTTP, `@modelcontextprotocol/sdk`'s client) when the worker starts, lists each server's tools
 * and returns them as tool implementations for `createBreakwaterWorker({ tools })`. Each MCP tool's effect
 * class comes from the config (`effects: { toolName: 'read' | 'write' | 'irreversible' }`); a tool the
 * config does not list is `irreversible` — a person approves every call — because an MCP server's own
 * annotations are hints from the server, not a promise Breakwater can hold it to.
 *
 * The call goes through `runTool` like any tool: arguments validated against the server's input schema,
 * a `write`'s fingerprint, the human gate, the records. An MCP result flagged `isError` is a refusal the
 * model is told about (ToolError), not a retry.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import type { ToolEffect, ToolSpec } from '../contracts/tool';
import { defineTool } from '../contracts/tool';
import { Failure, raise } from '../failures';
import { implementTool, ToolError, type ToolImplementation } from './tools';

export const mcpServerConfigSchema = z.strictObject({
  /** Names the server in logs and errors; with `prefix`, in tool names. */
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,32}$/),
  transport: z.union([
    z.strictObject({ stdio: z.strictObject({ command: z.string().min(1), args: z.array(z.string()).optional(), env: z.record(z.string(), z.string()).optional(), cwd: z.string().optional() }) }),
    z.strictObject({ url: z.url() }),
  ]),
  /** Effect class per MCP tool name. Unlisted: irreversible. */
  effects: z.record(z.string(), z.enum(['read', 'write', 'irreversible'])).default({}),
  /** Prepended to the server's tool names (e.g. `notes_`), to keep two servers' tools apart. Default none. */
  prefix: z.string().regex(/^[a-zA-Z0-9_-]{0,20}$/).default(''),
  /** How long one call may take. Default 30 s. */
  callTimeoutMs: z.number().int().positive().default(30_000),
});
export type McpServerConfig = z.input<typeof mcpServerConfigSchema>;

export interface McpTools {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- MCP tools take any JSON arguments
  tools: ToolImplementation<any, any>[];
  specs: ToolSpec[];
  close(): Promise<void>;
}

/** The effect class an MCP tool gets: the config's, else irreversible. */
export const mcpToolEffect = (effects: Record<string, ToolEffect>, tool: string): ToolEffect => effects[tool] ?? 'irreversible';

/** What the model is handed from an MCP result: its structured content, else its text parts. */
function resultOf(r: { content?: unknown; structuredContent?: unknown }): unknown {
  if (r.structuredContent && typeof r.structuredContent === 'object') return r.structuredContent;
  const parts = Array.isArray(r.content) ? (r.content as { type: string; text?: string }[]) : [];
  return { text: parts.filter((p) => p.type === 'text').map((p) => p.text ?? '').join('\n') };
}

export async function connectMcpTools(servers: readonly McpServerConfig[]): Promise<McpTools> {
  const clients: Client[] = [];
  const tools: McpTools['tools'] = [];
  try {
    for (const raw of servers) {
      const server = mcpServerConfigSchema.parse(raw);
      const client = new Client({ name: 'breakwater', version: '0.1.0' });
      const transport = 'stdio' in server.transport
        ? new StdioClientTransport({ ...server.transport.stdio, stderr: 'pipe' })
        : new StreamableHTTPClientTransport(new URL(server.transport.url));
      try {
        await client.connect(transport);
      } catch (e) {
        throw raise(Failure.McpUnavailable, `MCP server '${server.name}' could not be reached: ${(e as Error).message}`);
      }
      clients.push(client);
      const listed = await client.listTools();
      for (const t of listed.tools) {
        const spec = defineTool({
          name: `${server.prefix}${t.name}`,
          description: t.description?.trim() || `${t.name} (MCP server ${server.name})`,
          input: z.fromJSONSchema(t.inputSchema as Parameters<typeof z.fromJSONSchema>[0]) as z.ZodType<Record<string, unknown>>,
          output: z.unknown(),
          effect: mcpToolEffect(server.effects, t.name),
          parameters: t.inputSchema as Record<string, unknown>,
        });
        tools.push(
          implementTool(spec, async (args, ctx) => {
            let r: { content?: unknown; structuredContent?: unknown; isError?: unknown };
            try {
              r = (await client.callTool({ name: t.name, arguments: args }, undefined, { signal: ctx.signal, timeout: server.callTimeoutMs })) as typeof r;
            } catch (e) {
              throw raise(Failure.McpUnavailable, `MCP server '${server.name}' failed the call of '${t.name}': ${(e as Error).message}`);
            }
            if (r.isError) throw new ToolError(JSON.stringify(resultOf(r)).slice(0, 2000));
            return resultOf(r);
          }),
        );
      }
    }
  } catch (e) {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    throw e;
  }
  return { tools, specs: tools.map((t) => t.spec), close: async () => void (await Promise.all(clients.map((c) => c.close().catch(() => undefined)))) };
}
