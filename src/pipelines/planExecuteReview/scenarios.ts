/**
 * The three incidents of issue 5 (and the catalog drift case) as LLM-simulator scenarios plus the workflow
 * inputs that trigger them. Rules match on the json_schema name and on `Task: <taskId>` / `Step: <id>` in
 * the last user message, and every rule has one answer, so one combined scenario serves any number of runs
 * (tests and `npm run demo` alike).
 */
import type { LlmScenario } from '../../simulators/llm';
import type { PlanExecuteReviewInput } from './workflow';

type Rule = LlmScenario['rules'][number];

/** Roles the plan–execute–review pipelines use, all on the cheap simulated model. */
export const planExecuteReviewModels = {
  provider: 'openai',
  roles: Object.fromEntries(['planner', 'executor', 'reviewer', 'researcher', 'analyst', 'supervisor', 'worker'].map((r) => [r, { model: 'sim-small', maxOutputTokens: 1024 }])),
  models: { 'sim-small': { inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 }, 'sim-large': { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 } },
};

const step = (id: string, field: string | null, instructions: string, resources: string[] = [], agent = 'executor') => ({ id, agent, action: id, field, instructions, resources });
const done = (values: { recordId: string; value: string; confidence: number }[]) => ({ json: { outcome: 'done', values, request: null } });
const approve = { json: { verdict: 'approve', issues: [], confidence: 0.9 } };
const reject = (issue: string) => ({ json: { verdict: 'reject', issues: [issue], confidence: 0.8 } });
const task = (taskId: string) => `Task: ${taskId}`;

// --- 1. The invented taxonomy ------------------------------------------------------------------------------
const erpProducts = [
  { id: 'P-100', fields: { name: 'Stand mixer 5L', description: 'Kitchen stand mixer with dough hook', category: 'Kitchen' } },
  { id: 'P-101', fields: { name: 'Hand blender', description: 'Immersion blender 600 W', category: null } },
  { id: 'P-102', fields: { name: 'Garden hose 20 m', description: 'Flexible hose with spray nozzle', category: 'Garden' } },
  { id: 'P-103', fields: { name: 'Office chair', description: 'Ergonomic chair with lumbar support', category: null } },
];

export const inventedTaxonomyInput = (taskId = 'invented-taxonomy'): PlanExecuteReviewInput => ({
  taskId, goal: 'Normalize the ERP product export for the web shop; every product needs product_category_l3.', records: erpProducts, sourceSystem: 'erp',
});

const inventedTaxonomyRules: Rule[] = [
  {
    id: 'taxonomy-plan', match: { schemaName: 'plan', user: task('invented-taxonomy') },
    responses: [{ json: {
      summary: 'Fill the missing categories.',
      steps: [step('infer-category', 'category', 'Infer category from product description using reference taxonomy', ['reference-taxonomy'])],
      manifest: [{ id: 'reference-taxonomy', kind: 'taxonomy', locator: 'reference-product-taxonomy', purpose: 'the reference taxonomy to classify products' }],
    } }],
  },
  // Never reached when the gate works: the executor would "use its own judgment".
  { id: 'taxonomy-executor', match: { schemaName: 'stepResult', user: task('invented-taxonomy') }, responses: [done([{ recordId: 'P-101', value: 'Automotive Accessories', confidence: 0.95 }])] },
  { id: 'taxonomy-reviewer', match: { schemaName: 'stepReview', user: task('invented-taxonomy') }, responses: [approve] },
];

// --- 2. The catalog: 30 % of categories inferred, a third of those nonsense -------------------------------------
export const catalogTaxonomy = { name: 'product-taxonomy', terms: ['Kitchen', 'Garden', 'Office', 'Automotive Accessories', 'Perishable Food', 'Software'] };
const known = ['Kitchen', 'Garden', 'Office'];
export const catalogRecords = Array.from({ length: 30 }, (_, i) => ({
  id: `C-${String(i + 1).padStart(3, '0')}`,
  fields: { name: `Product ${i + 1}`, category: i < 21 ? (known[i % 3] as string) : null },
}));
/** The 9 inferred values: 6 sensible (one below the confidence threshold), 3 confident nonsense. */
export const catalogInferred = [
  { recordId: 'C-022', value: 'Kitchen', confidence: 0.93 },
  { recordId: 'C-023', value: 'Garden', confidence: 0.9 },
  { recordId: 'C-024', value: 'Office', confidence: 0.91 },
  { recordId: 'C-025', value: 'Kitchen', confidence: 0.88 },
  { recordId: 'C-026', value: 'Garden', confidence: 0.55 },
  { recordId: 'C-027', value: 'Office', confidence: 0.9 },
  { recordId: 'C-028', value: 'Automotive Accessories', confidence: 0.94 },
  { recordId: 'C-029', value: 'Perishable Food', confidence: 0.92 },
  { recordId: 'C-030', value: 'Software', confidence: 0.9 },
];

export const catalogDriftInput = (taskId = 'catalog-drift'): PlanExecuteReviewInput => ({
  taskId, goal: 'Fill product_category_l3 where the ERP left it empty.', records: catalogRecords, sourceSystem: 'erp',
  review: { criticalFields: ['category'], minConfidence: 0.8 },
  drift: { fields: ['category'], threshold: 0.1, action: 'pause' },
});

const catalogRules: Rule[] = [
  {
    id: 'catalog-plan', match: { schemaName: 'plan', user: task('catalog-drift') },
    responses: [{ json: {
      summary: 'Infer the missing categories from the product taxonomy.',
      steps: [step('infer-category', 'category', 'Choose a term of the product taxonomy for each product without a category.', ['taxonomy'])],
      manifest: [{ id: 'taxonomy', kind: 'taxonomy', locator: catalogTaxonomy.name, purpose: 'allowed categories' }],
    } }],
  },
  { id: 'catalog-executor', match: { schemaName: 'stepResult', user: task('catalog-drift') }, responses: [done(catalogInferred)] },
  { id: 'catalog-reviewer', match: { schemaName: 'stepReview', user: task('catalog-drift') }, responses: [approve] },
];

// --- 3. The address delegation loop (EU → US format) ----------------------------------------------------------
const addresses = [
  { id: 'A-1', fields: { address: 'Hauptstraße 5, 80331 München, Bayern' } },
  { id: 'A-2', fields: { address: 'Rue de Rivoli 10, 75001 Paris, Île-de-France' } },
];
const addressValue = done([{ recordId: 'A-1', value: '5 Hauptstrasse, Munich, BY 80331', confidence: 0.7 }, { recordId: 'A-2', value: '10 Rue de Rivoli, Paris, IDF 75001', confidence: 0.7 }]);

export const addressLoopInput = (taskId = 'address-loop', replanCooldownMs = 200): PlanExecuteReviewInput => ({
  taskId, goal: 'Transform the addresses from European to US format.', records: addresses, sourceSystem: 'crm', limits: { replanCooldownMs },
});

const addressRules: Rule[] = [
  {
    id: 'address-plan', match: { schemaName: 'plan', user: task('address-loop') },
    responses: [{ json: { summary: 'Detect the country, then format.', steps: [step('detect-country', 'country', 'ISO country of each address'), step('format-us-address', 'address_us', 'Rewrite in US format')], manifest: [] } }],
  },
  {
    id: 'address-replan-1', match: { schemaName: 'replan', user: 'Failed step: format-us-address\n' },
    responses: [{ json: { reason: 'split it', steps: [step('format-postal-code', 'postal_code_us', 'US-style postal code'), step('format-state', 'state', 'US state abbreviation')], manifest: [] } }],
  },
  {
    id: 'address-replan-2', match: { schemaName: 'replan', user: 'Failed step: format-state\n' },
    responses: [{ json: { reason: 'detect the province first', steps: [step('detect-province', 'province', 'Province of each address'), step('province-to-state', 'state', 'Map the province to a state')], manifest: [] } }],
  },
  { id: 'address-replan-3', match: { schemaName: 'replan', user: task('address-loop') }, responses: [{ json: { reason: 'split again', steps: [step('split-again', 'state', 'Try once more')], manifest: [] } }] },
  { id: 'address-executor', match: { schemaName: 'stepResult', user: task('address-loop') }, responses: [addressValue] },
  { id: 'address-review-us', match: { schemaName: 'stepReview', user: 'Step: format-us-address\n' }, responses: [reject('postal code format is wrong')] },
  { id: 'address-review-state', match: { schemaName: 'stepReview', user: { regex: '^Task: address-loop.*\\nStep: (format-state|province-to-state|split-again)\\n', flags: 's' } }, responses: [reject('state abbreviation is not standard: the input has provinces, not states')] },
  { id: 'address-review-ok', match: { schemaName: 'stepReview', user: task('address-loop') }, responses: [approve] },
];

// --- 4. The researcher ↔ analyst "I need more context" loop -----------------------------------------------------
export const researchLoopInput = (taskId = 'research-loop'): PlanExecuteReviewInput => ({
  taskId, goal: 'Summarize the market for kitchen mixers.', agents: { executors: ['analyst'], helpers: ['researcher'] },
});

const researchRules: Rule[] = [
  { id: 'research-plan', match: { schemaName: 'plan', user: task('research-loop') }, responses: [{ json: { summary: 'Analyze.', steps: [step('analyze-market', null, 'Analyze the market', [], 'analyst')], manifest: [] } }] },
  { id: 'research-analyst', match: { schemaName: 'stepResult', user: task('research-loop') }, responses: [{ json: { outcome: 'request', values: [], request: { to: 'researcher', action: 'I need more context', detail: 'more documents about the market' } } }] },
  { id: 'research-researcher', match: { schemaName: 'helperAnswer', user: task('research-loop') }, responses: [{ json: { findings: ['document A: mixer sales grew 4 %'], confidence: 0.7 } }] },
];

/** Every rule above: load it into the LLM simulator once, then run any of the inputs, any number of times. */
export const planExecuteReviewScenario: LlmScenario = {
  name: 'plan-execute-review incidents',
  rules: [...inventedTaxonomyRules, ...catalogRules, ...addressRules, ...researchRules],
};
