/**
 * The custom search attributes Breakwater registers on the Temporal server and sets from workflows.
 * `breakwater escalations` and the Web UI find runs that wait for a person with
 * `BreakwaterStatus = "AwaitingHuman"`. Pure: usable inside workflows.
 */
import { defineSearchAttributeKey } from '@temporalio/common';

export const BreakwaterStatus = defineSearchAttributeKey('BreakwaterStatus', 'KEYWORD');
export const BreakwaterPipeline = defineSearchAttributeKey('BreakwaterPipeline', 'KEYWORD');
export const BreakwaterCostUsd = defineSearchAttributeKey('BreakwaterCostUsd', 'DOUBLE');
export const BreakwaterBudgetState = defineSearchAttributeKey('BreakwaterBudgetState', 'KEYWORD');

export const searchAttributeKeys = [BreakwaterStatus, BreakwaterPipeline, BreakwaterCostUsd, BreakwaterBudgetState] as const;

/** The values `BreakwaterStatus` takes. */
export const PipelineStatus = {
  Running: 'Running',
  AwaitingHuman: 'AwaitingHuman',
  Completed: 'Completed',
  Failed: 'Failed',
  Rejected: 'Rejected',
} as const;
export type PipelineStatus = (typeof PipelineStatus)[keyof typeof PipelineStatus];

/** `--search-attribute` flags for `temporal server start-dev` (the CLI spells FLOAT as Double). */
export const devServerSearchAttributeFlags = (): string[] =>
  searchAttributeKeys.flatMap((k) => ['--search-attribute', `${k.name}=${k.type === 'DOUBLE' ? 'Double' : 'Keyword'}`]);
