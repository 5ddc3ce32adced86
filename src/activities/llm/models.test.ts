import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isConfigError } from '../../errors';
import { defaultModelsFile, loadModelsConfig, parseModelsConfig, routeFor } from './models';

test('the shipped config/models.json is valid and routes every role to a priced model', () => {
  const m = loadModelsConfig(defaultModelsFile());
  assert.equal(routeFor(m, 'router').model, 'sim-small');
  assert.equal(routeFor(m, 'decider').price.outputNanoPerToken, 10_000);
  assert.equal(routeFor(m, 'router').maxOutputTokens, 512);
});

test('a role naming a model without a price is a clear error at load, not a silent zero', () => {
  assert.throws(
    () => parseModelsConfig({ roles: { decider: 'gpt-9' }, models: { 'gpt-4o': { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 } } }, 'models.json'),
    (e: unknown) => isConfigError(e) && /role 'decider' uses model 'gpt-9', which has no price/.test((e as Error).message),
  );
  assert.throws(() => parseModelsConfig({ roles: {}, models: { x: { inputUsdPerMillion: 0.00001, outputUsdPerMillion: 1 } } }), /at most 3 decimals/);
  assert.throws(() => parseModelsConfig({ roles: {}, models: {}, extra: 1 }), /invalid models config/);
  assert.throws(() => loadModelsConfig('/nonexistent/models.json'), /cannot read models config/);
  const m = parseModelsConfig({ roles: { a: 'x' }, models: { x: { inputUsdPerMillion: 1, outputUsdPerMillion: 2 } } });
  assert.throws(() => routeFor(m, 'b'), /agent role 'b' is not in/);
});
