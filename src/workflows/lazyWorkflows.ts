/**
 * A workflows module whose workflows load on first use. Temporal evaluates a bundle's workflows module in
 * every run (each run has its own module cache), and with it every module it imports: a module that
 * re-exports ten pipelines makes each run build all ten pipelines' zod contracts, though it runs one. The
 * CPU profile of a worker at 200 concurrent runs put 40 % of its workflow thread there
 * (docs/benchmarks.md, part 6). With `lazyWorkflows`, a run evaluates only the module of the workflow it
 * runs: Temporal looks up `exports[workflowType]`, which calls that workflow's loader and nothing else.
 *
 * In the module you pass as `workflowsPath`: `lazyWorkflows(exports, { orderTriage: () => require(…).orderTriage })`,
 * one entry per workflow, each `require` naming that workflow's module (README, "write your own pipeline").
 * Loading happens while Temporal initialises the run, where module code always ran: replay is unchanged.
 * A loader's `require` must name a module path the bundler can see (a string literal).
 */

/** Workflow name → a function that loads its module and returns the workflow function. */
export type WorkflowLoaders = Record<string, () => unknown>;

/** Defines each workflow of `loaders` on `target` (your module's `exports`) as a getter that loads it once. */
export function lazyWorkflows<T extends object>(target: T, loaders: WorkflowLoaders): T {
  for (const [name, load] of Object.entries(loaders)) {
    let loaded: unknown;
    Object.defineProperty(target, name, {
      enumerable: true, // Object.keys lists it (name checks) without loading it
      configurable: false,
      get: () => (loaded ??= load()),
    });
  }
  return target;
}
