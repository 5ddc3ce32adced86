/**
 * The codec server over real HTTP: Temporal's codec protocol with the bearer token or the /login cookie,
 * CORS for the Web UI's origin only, and a bad-input suite — each case a clear typed error, and nothing
 * changed (the server holds no state; no cookie is handed out; the next good request still works).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { isConfigError } from '../errors';
import { startCodecServer, MAX_BODY_BYTES, type CodecServer } from './codecServer';
import { generateKeySpec, parseKeyRing } from './keys';
import { createEncryptionCodec } from './payloadCodec';

const TOKEN = 'codec-test-token-0123456789abcdefghijklmnop';
const UI = 'http://127.0.0.1:8233';
const SECRET = 'sk-live-PLANTED-codec-server';
const codec = createEncryptionCodec(parseKeyRing(`${generateKeySpec('cur')},${generateKeySpec('old')}`));
let server: CodecServer;

before(async () => {
  server = await startCodecServer({ codec, token: TOKEN, uiOrigin: UI, port: 0 });
});
after(async () => {
  await server?.close();
});

const toJson = (p: { metadata?: Record<string, Uint8Array | null> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  data: Buffer.from(p.data!).toString('base64'),
});
const post = (path: string, body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function encrypted() {
  const [p] = await codec.encode([defaultPayloadConverter.toPayload({ card: SECRET })]);
  return toJson(p!);
}

test('decode with the bearer token gives the plaintext payload; encode gives ciphertext; any path depth works', async () => {
  const res = await post('/default/decode?preserveStorageRefs=true', { payloads: [await encrypted()] });
  assert.equal(res.status, 200);
  const [p] = ((await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
  assert.equal(Buffer.from(p!.metadata.encoding!, 'base64').toString(), 'json/plain');
  assert.deepEqual(JSON.parse(Buffer.from(p!.data, 'base64').toString()), { card: SECRET });
  const enc = await post('/encode', { payloads: [p] });
  const text = await enc.text();
  assert.equal(enc.status, 200);
  assert.ok(!text.includes(Buffer.from(JSON.stringify({ card: SECRET })).toString('base64')) && !text.includes('json/plain'));
});

test("CORS: the Web UI's origin gets the preflight and credentials; another origin is refused before anything is decoded", async () => {
  const pre = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { Origin: UI, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), UI);
  assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
  const evil = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
});

test('the /login cookie: a wrong token sets nothing; the right one sets an HttpOnly SameSite cookie that decodes', async () => {
  const form = (token: string) => fetch(`${server.url}/login`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() });
  const wrong = await form('nope');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
  const ok = await form(TOKEN);
  assert.equal(ok.status, 200);
  const cookie = ok.headers.get('set-cookie') ?? '';
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.ok(!cookie.includes(TOKEN), 'the cookie is not the token');
  const res = await post('/decode', { payloads: [await encrypted()] }, { Cookie: cookie.split(';')[0]!, Origin: UI });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), UI);
});

test('bad input: 14 cases, each a clear typed error, none decodes anything, and the server is unchanged', async () => {
  const good = await encrypted();
  const flipped = { ...good, data: Buffer.from(Buffer.from(good.data, 'base64').map((b, i) => (i === 20 ? b ^ 1 : b))).toString('base64') };
  const foreignKey = toJson((await createEncryptionCodec(parseKeyRing(generateKeySpec('gone'))).encode([defaultPayloadConverter.toPayload(SECRET)]))[0]!);
  const cases: { name: string; res: () => Promise<Response>; status: number; code: string; says: RegExp }[] = [
    { name: 'no credentials', res: () => post('/decode', { payloads: [good] }, {}), status: 401, code: 'BW_CODEC_UNAUTHORIZED', says: /Bearer/ },
    { name: 'wrong bearer', res: () => post('/decode', { payloads: [good] }, { Authorization: `Bearer ${TOKEN.slice(0, -1)}x` }), status: 401, code: 'BW_CODEC_UNAUTHORIZED', says: /credentials/ },
    { name: 'forged cookie', res: () => post('/decode', { payloads: [good] }, { Cookie: 'bw_codec_session=forged' }), status: 401, code: 'BW_CODEC_UNAUTHORIZED', says: /credentials/ },
    { name: 'foreign origin, right token', res: () => post('/decode', { payloads: [good] }, { Authorization: `Bearer ${TOKEN}`, Origin: 'http://evil.example' }), status: 403, code: 'BW_CODEC_UNAUTHORIZED', says: /not the Web UI's/ },
    { name: 'GET', res: () => fetch(`${server.url}/decode`, { headers: { Authorization: `Bearer ${TOKEN}` } }), status: 405, code: 'BW_INVALID_INPUT', says: /only POST/ },
    { name: 'unknown endpoint', res: () => post('/transcode', { payloads: [] }), status: 404, code: 'BW_NOT_FOUND', says: /encode or …\/decode/ },
    { name: 'not JSON', res: () => post('/decode', '{"payloads": ['), status: 400, code: 'BW_INVALID_INPUT', says: /not JSON/ },
    { name: 'wrong content type', res: () => fetch(`${server.url}/decode`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'text/plain' }, body: '{}' }), status: 415, code: 'BW_INVALID_INPUT', says: /application\/json/ },
    { name: 'payloads missing', res: () => post('/decode', { items: [good] }), status: 400, code: 'BW_INVALID_INPUT', says: /payloads/ },
    { name: 'payloads not an array', res: () => post('/decode', { payloads: good }), status: 400, code: 'BW_INVALID_INPUT', says: /payloads/ },
    { name: 'data not base64', res: () => post('/decode', { payloads: [{ ...good, data: 'not base64!' }] }), status: 400, code: 'BW_INVALID_INPUT', says: /base64/ },
    { name: 'too many payloads', res: () => post('/decode', { payloads: Array.from({ length: 1001 }, () => ({})) }), status: 400, code: 'BW_INVALID_INPUT', says: /1000/ },
    { name: 'body over 4 MiB', res: () => post('/decode', { payloads: [{ data: 'A'.repeat(MAX_BODY_BYTES) }] }), status: 413, code: 'BW_INVALID_INPUT', says: /body over/ },
    { name: 'altered ciphertext', res: () => post('/decode', { payloads: [flipped] }), status: 400, code: 'BW_CODEC_DECRYPT_FAILED', says: /does not decrypt/ },
    { name: 'a key this server does not hold', res: () => post('/decode', { payloads: [foreignKey] }), status: 400, code: 'BW_CODEC_KEY_UNKNOWN', says: /'gone'/ },
  ];
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    const res = await c.res();
    const text = await res.text();
    assert.equal(res.status, c.status, `${c.name}: status (${text})`);
    const body = JSON.parse(text) as { error?: { code: string; message: string }; payloads?: unknown };
    assert.equal(body.error?.code, c.code, `${c.name}: code`);
    assert.match(body.error!.message, c.says, `${c.name}: message`);
    assert.equal(body.payloads, undefined, `${c.name}: nothing decoded`);
    assert.ok(!text.includes(SECRET), `${c.name}: no plaintext in the error`);
    assert.equal(res.headers.get('set-cookie'), null, `${c.name}: no session handed out`);
  }
  const still = await post('/decode', { payloads: [good] });
  assert.equal(still.status, 200, 'a good request still works after the suite');
});

test('binding beyond loopback without TLS, or a short token, is refused at start', async () => {
  await assert.rejects(startCodecServer({ codec, token: TOKEN, uiOrigin: UI, host: '0.0.0.0', port: 0 }), (e) => isConfigError(e) && /only with TLS/.test((e as Error).message));
  await assert.rejects(startCodecServer({ codec, token: 'short', uiOrigin: UI, port: 0 }), (e) => isConfigError(e) && /32 characters/.test((e as Error).message));
});
