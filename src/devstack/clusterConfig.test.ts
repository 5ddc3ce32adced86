/**
 * The cluster's server config: what makes it production-shaped (Postgres persistence and SQL visibility
 * through postgres12, loopback-only listeners, no password in the file) and the port plan beside the dev
 * server's. That the server accepts the file is shown by every cluster start (check:cluster, chaos --cluster).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { CLUSTER_SERVICES, clusterConfigYaml, clusterDatabaseFromUrl, clusterPortsFrom, freeClusterPorts } from './clusterConfig';

test('the port family sits beside the dev server (7333 frontend) and never repeats a port', async () => {
  const p = clusterPortsFrom(7333);
  assert.deepEqual(p.grpc, { history: 7334, matching: 7335, frontend: 7333, worker: 7339 });
  const all = [...Object.values(p.grpc), ...Object.values(p.membership), ...Object.values(p.metrics), p.frontendHttp];
  assert.equal(new Set(all).size, all.length);
  assert.ok(!all.includes(7233));
  const free = await freeClusterPorts();
  const frees = [...Object.values(free.grpc), ...Object.values(free.membership), ...Object.values(free.metrics), free.frontendHttp];
  assert.equal(new Set(frees).size, frees.length);
  assert.ok(frees.every((x) => x < 32768), 'cluster_membership.rpc_port is a smallint');
  assert.throws(() => clusterPortsFrom(80), /1024-32727/);
  assert.throws(() => clusterPortsFrom(40000), /smallint/);
});

test('a Postgres URL becomes the two databases; the password is kept out of the rendered file', () => {
  const db = clusterDatabaseFromUrl('postgres://bw:s%40cret@db.local:6543/breakwater');
  assert.deepEqual(db, { host: 'db.local', port: 6543, user: 'bw', password: 's@cret', database: 'temporal', visibilityDatabase: 'temporal_visibility' });
  assert.throws(() => clusterDatabaseFromUrl('mysql://x@y/z'), /postgres:\/\//);
  assert.throws(() => clusterDatabaseFromUrl('not a url'), /not a URL/);

  const yaml = clusterConfigYaml({ ports: clusterPortsFrom(7333), db, service: 'history', dynamicConfigFile: '/tmp/dc.yaml' });
  assert.ok(!yaml.includes('s@cret') && !yaml.includes('s%40cret'), 'the password must not be written');
  assert.match(yaml.split('\n')[0]!, /^# enable-template$/);
  interface Sql { pluginName: string; databaseName: string }
  const cfg = parse(yaml.replace(/'\{\{ env "TEMPORAL_DB_PASSWORD" \}\}'/g, "''")) as {
    persistence: { visibilityStore: string; datastores: Record<string, { sql: Sql }> };
    services: Record<string, { rpc: { bindOnIP: string } }>;
    global: { metrics: { prometheus: { listenAddress: string } } };
    clusterMetadata: { clusterInformation: { active: { rpcAddress: string } } };
  };
  const store = (name: string) => cfg.persistence.datastores[name]!.sql;
  assert.equal(store('postgres-default').pluginName, 'postgres12');
  assert.equal(store('postgres-default').databaseName, 'temporal');
  assert.equal(store('postgres-visibility').pluginName, 'postgres12');
  assert.equal(store('postgres-visibility').databaseName, 'temporal_visibility');
  assert.equal(cfg.persistence.visibilityStore, 'postgres-visibility');
  for (const s of CLUSTER_SERVICES) assert.equal(cfg.services[s]!.rpc.bindOnIP, '127.0.0.1', `${s} binds loopback only`);
  assert.equal(cfg.global.metrics.prometheus.listenAddress, '127.0.0.1:7364', 'this file carries the history process metrics port');
  assert.equal(cfg.clusterMetadata.clusterInformation.active.rpcAddress, '127.0.0.1:7333');
});
