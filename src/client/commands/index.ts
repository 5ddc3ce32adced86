/** Registers every `breakwater` subcommand. One file per command group. */
import type { Command } from 'commander';
import type { BreakwaterConfig } from '../../config';
import type { Output } from '../output';
import { registerBroker } from './broker';
import { registerBudget } from './budget';
import { registerCodec } from './codec';
import { registerDlq } from './dlq';
import { registerDoctor } from './doctor';
import { registerEscalations } from './escalations';
import { registerBreaker } from './breaker';
import { registerApprover } from './approver';
import { registerSign } from './sign';
import { registerStatus } from './status';
import { registerEval } from './eval';
import { registerExplain } from './explain';
import { registerInbox } from './inbox';
import { registerIncidents } from './incidents';
import { registerInit } from './init';
import { registerConfig } from './config';
import { registerLlm } from './llm';
import { registerRuns } from './runs';
import { registerSetup } from './setup';
import { registerStack } from './stack';

export interface CommandContext {
  config: () => BreakwaterConfig;
  output: (cmd: Command) => Output;
}

export function registerCommands(program: Command, ctx: CommandContext): void {
  registerDoctor(program, ctx);
  registerDlq(program, ctx);
  registerEscalations(program, ctx);
  registerBreaker(program, ctx);
  registerStatus(program, ctx);
  registerBroker(program, ctx);
  registerBudget(program, ctx);
  registerRuns(program, ctx);
  registerExplain(program, ctx);
  registerEval(program, ctx);
  registerInbox(program, ctx);
  registerIncidents(program, ctx);
  registerSetup(program, ctx);
  registerLlm(program, ctx);
  registerApprover(program, ctx);
  registerSign(program, ctx);
  registerCodec(program, ctx);
  registerInit(program, ctx);
  registerConfig(program, ctx);
  registerStack(program, ctx);
}

/** A command group of your own, registered next to Breakwater's (see `main` in src/client/cli.ts). */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;
