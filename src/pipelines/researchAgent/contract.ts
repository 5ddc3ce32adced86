/**
 * researchAgent's tools and final answer (pure: its workflow and its worker both import them). Seed 003's
 * "research this topic": a search on a rate-limited API (through the broker), a page fetch, a note saved
 * (a `write`: once per run and arguments, across crashes) and a publish (irreversible: a person approves).
 */
import { z } from 'zod';
import { defineAgentSchema } from '../../contracts/agentSchemas';
import { defineTool } from '../../contracts/tool';

export const SEARCH_API = 'search';

export const searchTool = defineTool({
  name: 'search',
  description: 'Search the web index for a query; returns up to 5 results with url and title.',
  input: z.strictObject({ query: z.string().min(1).max(200).describe('What to search for.') }),
  output: z.strictObject({ results: z.array(z.strictObject({ url: z.string(), title: z.string() })).max(5) }),
  effect: 'read',
  api: SEARCH_API,
});

export const fetchTool = defineTool({
  name: 'fetchPage',
  description: 'Fetch the text of a page found by search.',
  input: z.strictObject({ url: z.string().min(1).max(500) }),
  output: z.strictObject({ url: z.string(), text: z.string() }),
  effect: 'read',
});

export const saveNoteTool = defineTool({
  name: 'saveNote',
  description: 'Save a research note (a finding with its source). Saving the same note twice keeps one.',
  input: z.strictObject({ title: z.string().min(1).max(200), body: z.string().min(1).max(4000), source: z.string().max(500) }),
  output: z.strictObject({ noteId: z.string() }),
  effect: 'write',
});

export const publishTool = defineTool({
  name: 'publish',
  description: 'Publish the research summary to the team page. Cannot be undone: a person approves it first.',
  input: z.strictObject({ title: z.string().min(1).max(200), summary: z.string().min(1).max(8000) }),
  output: z.strictObject({ url: z.string() }),
  effect: 'irreversible',
});

export const researchTools = [searchTool, fetchTool, saveNoteTool, publishTool];

export const researchReport = defineAgentSchema(
  'researchReport',
  z.strictObject({
    summary: z.string().min(1).max(4000),
    sources: z.array(z.string().max(500)).max(20),
  }),
);
