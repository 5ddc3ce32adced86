/** The resource gate against the real things: Postgres (tables, privileges, taxonomies), HTTP, files. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, mock, test } from 'node:test';
import { loadConfig } from '../config';
import type { Resource } from '../contracts/resources';
import { startRecordSourceSimulator, type RecordSourceSimulator } from '../simulators/recordSource';
import { createPool, type Db } from '../store/db';
import { migrate } from '../store/migrate';
import { createResourceGateActivities } from './resourceGate';

const schema = `t_${randomBytes(6).toString('hex')}`;
const role = `bw_gate_${randomBytes(4).toString('hex')}`;
let db: Db;
let restricted: Db | undefined;
let sim: RecordSourceSimulator;
let closedPort = 0;
const dir = mkdtempSync(path.join(tmpdir(), 'bw-gate-'));
const outside = mkdtempSync(path.join(tmpdir(), 'bw-gate-outside-'));
/** An internal admin endpoint a prompt-injected plan would like probed: it counts every request it gets. */
let internal: Server;
let internalRequests: string[] = [];
let internalUrl = '';

before(async () => {
  const config = loadConfig({ ...process.env, DATABASE_SCHEMA: schema });
  db = createPool(config.database);
  await migrate(db, schema);
  await db.query(`CREATE TABLE erp_products (id TEXT PRIMARY KEY)`);
  await db.query(`CREATE TABLE secret_prices (id TEXT PRIMARY KEY)`);
  await db.query(`INSERT INTO taxonomies (name, terms) VALUES ('product-taxonomy', ARRAY['Kitchen', 'Garden'])`);
  sim = await startRecordSourceSimulator({ sources: { erp: [{ id: '1', fields: {} }] } });
  writeFileSync(path.join(dir, 'mapping.csv'), 'a,b\n');
  writeFileSync(path.join(outside, 'secret.txt'), 'not for planners\n');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'link-out.txt'));
  symlinkSync('/etc/passwd', path.join(dir, 'passwd-link'));
  mkdirSync(path.join(dir, 'sub'));
  internal = createHttpServer((req, res) => {
    internalRequests.push(`${req.method} ${req.url}`);
    if (req.url === '/records/redirect') return void res.writeHead(302, { Location: `${internalUrl}/admin` }).end();
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  internalUrl = `http://127.0.0.1:${(internal.address() as { port: number }).port}`;
  // A port nothing listens on: bind one, then close it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
after(async () => {
  await new Promise<void>((resolve) => (internal ? internal.close(() => resolve()) : resolve()));
  await sim?.close();
  await restricted?.end();
  await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  await db?.end();
});

const r = (id: string, kind: Resource['kind'], locator: string): Resource => ({ id, kind, locator, purpose: 'test' });

test('every kind: present resources pass, missing ones are listed with why; taxonomy terms come back', async () => {
  const { checkResources } = createResourceGateActivities({ db, httpTimeoutMs: 2000, allow: { urls: [new URL(sim.sourceUrl('erp')).origin + '/', `http://127.0.0.1:${closedPort}/`], fileRoots: [dir] } });
  const result = await checkResources({
    resources: [
      r('erp-http', 'http', sim.sourceUrl('erp')),
      r('ghost-http', 'http', sim.sourceUrl('nope')),
      r('refused-http', 'http', `http://127.0.0.1:${closedPort}/records`),
      r('products', 'table', 'erp_products'),
      r('ghost-table', 'table', 'reference_products'),
      r('bad-table', 'table', 'x; DROP TABLE erp_products'),
      r('tax', 'taxonomy', 'product-taxonomy'),
      r('invented-tax', 'taxonomy', 'reference-product-taxonomy'),
      r('file', 'file', path.join(dir, 'mapping.csv')),
      r('ghost-file', 'file', path.join(dir, 'missing.csv')),
      r('relative-file', 'file', 'mapping.csv'),
      r('dir', 'file', dir),
    ],
  });
  assert.equal(result.checked, 12);
  assert.deepEqual(result.missing.map((m) => [m.id, m.why]), [
    ['ghost-http', 'HTTP 404'],
    ['refused-http', 'unreachable: ECONNREFUSED'],
    ['ghost-table', 'no such table on the search path'],
    ['bad-table', 'not a table name ([schema.]table)'],
    ['invented-tax', 'no taxonomy with this name in the taxonomies table'],
    ['ghost-file', 'no such file'],
    ['relative-file', 'not an absolute path'],
    ['dir', 'not a regular file'],
  ]);
  assert.deepEqual(result.taxonomies, { tax: ['Kitchen', 'Garden'] });
  assert.equal((await db.query('SELECT count(*)::int AS n FROM erp_products')).rows[0].n, 0, 'the table is still there');
});

test('a table the role may not SELECT from is reported as such', async () => {
  await db.query(`CREATE ROLE ${role} LOGIN PASSWORD 'gate-test'`);
  await db.query(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}`);
  await db.query(`GRANT SELECT ON erp_products TO ${role}`);
  const url = new URL(loadConfig({ ...process.env }).database.url!);
  url.username = role;
  url.password = 'gate-test';
  restricted = createPool({ url: url.toString(), schema });
  const { checkResources } = createResourceGateActivities({ db: restricted });
  const result = await checkResources({ resources: [r('ok', 'table', 'erp_products'), r('no', 'table', 'secret_prices')] });
  assert.deepEqual(result.missing.map((m) => [m.id, m.why]), [['no', 'table exists but SELECT is not granted']]);
});

test('your own resource kinds: a resolver decides; a kind without one is missing, and nothing is fetched', async () => {
  const asked: string[] = [];
  const { checkResources } = createResourceGateActivities({
    db,
    resolvers: {
      sku: async (res) => (asked.push(res.locator), res.locator.startsWith('SKU-') ? { ok: true } : { ok: false, why: 'no such SKU in the catalog' }),
    },
  });
  const result = await checkResources({ resources: [r('a', 'sku', 'SKU-1'), r('b', 'sku', 'X-2'), r('c', 'ftp', 'ftp://files/x')] });
  assert.deepEqual(asked, ['SKU-1', 'X-2']);
  assert.deepEqual(result.missing.map((m) => [m.id, m.why]), [['b', 'no such SKU in the catalog'], ['c', "no resolver for resource kind 'ftp'"]]);
});

test('a malformed manifest is a non-retryable BW_INVALID_INPUT', async () => {
  const { checkResources } = createResourceGateActivities({ db });
  await assert.rejects(checkResources({ resources: [{ id: 'x', kind: 'FTP!', locator: 'a', purpose: '' } as unknown as Resource] }), (e: { type?: string; nonRetryable?: boolean }) => e.type === 'BW_INVALID_INPUT' && e.nonRetryable === true);
});

test("a plan naming http://127.0.0.1:…/admin or /etc/passwd: missing, no request sent, no file read", async () => {
  internalRequests = [];
  // Spy on every file-system call the gate could make: none may touch a path outside the roots.
  const touched: string[] = [];
  const spies = (['stat', 'lstat', 'access', 'realpath', 'open', 'readFile'] as const).map((name) => {
    const original = fsp[name] as (...a: unknown[]) => Promise<unknown>;
    return mock.method(fsp, name, (...args: unknown[]): Promise<unknown> => {
      touched.push(String(args[0]));
      return original(...args);
    });
  });
  const { checkResources } = createResourceGateActivities({ db, httpTimeoutMs: 2000, allow: { urls: [`${internalUrl}/records/`], fileRoots: [dir] } });
  try {
    const result = await checkResources({
      resources: [
        r('admin', 'http', `${internalUrl}/admin`),
        r('dotdot', 'http', `${internalUrl}/records/../admin`),
        r('encoded', 'http', `${internalUrl}/records/%2e%2e/admin`),
        r('sibling', 'http', `${internalUrl}/records-private/x`),
        r('other-port', 'http', `http://127.0.0.1:1/records/x`),
        r('creds', 'http', `http://user:pw@${new URL(internalUrl).host}/records/x`),
        r('redirect', 'http', `${internalUrl}/records/redirect`),
        r('passwd', 'file', '/etc/passwd'),
        r('escape', 'file', path.join(dir, '..', path.basename(outside), 'secret.txt')),
        r('link-out', 'file', path.join(dir, 'link-out.txt')),
        r('passwd-link', 'file', path.join(dir, 'passwd-link')),
        r('allowed-http', 'http', `${internalUrl}/records/list`),
        r('allowed-file', 'file', path.join(dir, 'mapping.csv')),
      ],
    });
    assert.deepEqual(result.missing.map((m) => [m.id, m.why]), [
      ['admin', 'not in the allowed URLs (BREAKWATER_RESOURCE_URLS): not requested'],
      ['dotdot', 'not in the allowed URLs (BREAKWATER_RESOURCE_URLS): not requested'],
      ['encoded', 'not in the allowed URLs (BREAKWATER_RESOURCE_URLS): not requested'],
      ['sibling', 'not in the allowed URLs (BREAKWATER_RESOURCE_URLS): not requested'],
      ['other-port', 'not in the allowed URLs (BREAKWATER_RESOURCE_URLS): not requested'],
      ['creds', 'URLs with credentials are not allowed'],
      ['redirect', `redirected to ${internalUrl}/admin: not in the allowed URLs (BREAKWATER_RESOURCE_URLS): not requested`],
      ['passwd', 'outside the allowed file roots (BREAKWATER_RESOURCE_FILE_ROOTS): not read'],
      ['escape', 'outside the allowed file roots (BREAKWATER_RESOURCE_FILE_ROOTS): not read'],
      ['link-out', 'resolves outside the allowed file roots: not read'],
      ['passwd-link', 'resolves outside the allowed file roots: not read'],
    ]);
    // The only requests the internal server saw: the allowed ones (the redirect itself, and the allowed path).
    assert.deepEqual(internalRequests.sort(), ['HEAD /records/list', 'HEAD /records/redirect']);
    assert.ok(!internalRequests.some((q) => q.includes('admin')), 'no request reached /admin');
    assert.ok(!touched.includes('/etc/passwd'), `/etc/passwd was never touched (saw ${touched.join(', ')})`);
    assert.ok(!touched.some((p) => p.startsWith(outside)), 'nothing outside the roots was touched by path');
    assert.ok(touched.includes(path.join(dir, 'mapping.csv')), 'the spy does see the allowed file (it can fail)');
    // The symlinks are resolved (realpath), never stat'ed or opened at their target.
    assert.ok(!touched.some((p) => p !== path.join(dir, 'link-out.txt') && p !== path.join(dir, 'passwd-link') && p.includes('secret')));
  } finally {
    for (const s of spies) s.mock.restore();
  }
});

test('no allowlist configured: every http and file resource is missing, nothing is requested', async () => {
  internalRequests = [];
  const { checkResources } = createResourceGateActivities({ db });
  const result = await checkResources({ resources: [r('h', 'http', `${internalUrl}/records/list`), r('f', 'file', path.join(dir, 'mapping.csv')), r('t', 'table', 'erp_products')] });
  assert.deepEqual(result.missing.map((m) => m.id), ['h', 'f']);
  assert.deepEqual(internalRequests, []);
});
