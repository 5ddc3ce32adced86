/** Registers every `breakwater` subcommand. One file per command group. */
import type { Command } from 'commander';
import type { BreakwaterConfig } from '../../config';
import type { Output } from '../output';
import { registerBroker } from './broker';
import { registerBudget } from './budget';
import { registerDoctor } from './doctor';

export interface CommandContext {
  config: () => BreakwaterConfig;
  output: (cmd: Command) => Output;
}

export function registerCommands(program: Command, ctx: CommandContext): void {
  registerDoctor(program, ctx);
  registerBroker(program, ctx);
  registerBudget(program, ctx);
}
