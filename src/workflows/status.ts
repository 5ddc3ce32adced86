/** Sets the search attributes that make a run findable: its pipeline and where it stands. */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { BreakwaterCostUsd, BreakwaterPipeline, BreakwaterStatus, type PipelineStatus } from '../contracts/searchAttributes';

export function markPipeline(pipeline: string, status: PipelineStatus = 'Running'): void {
  upsertSearchAttributes([
    { key: BreakwaterPipeline, value: pipeline },
    { key: BreakwaterStatus, value: status },
  ]);
}

export function markStatus(status: PipelineStatus): void {
  upsertSearchAttributes([{ key: BreakwaterStatus, value: status }]);
}

export function markCost(usd: number): void {
  upsertSearchAttributes([{ key: BreakwaterCostUsd, value: usd }]);
}
