/**
 * The feedback, events and insights HTTP API, on a real service with a SQLite file: good input
 * is stored once, a corpus of bad input is refused with a 4xx naming the field and the service
 * keeps serving, nasty text comes back verbatim in JSON and CSV, and the guards hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createService, type Service } from '../../../src/server/app.ts';
import { readFeedbackConfig } from '../../../src/server/feedback/config.ts';
import { feedbackPart } from '../../../src/server/feedback/part.ts';
import { csvCell } from '../../../src/server/feedback/export.ts';
import { RateLimiter } from '../../../src/server/feedback/guard.ts';
import { personaIds } from '../../../src/shared/personas.ts';
import { NASTY } from './nasty.ts';

const TOKEN = 'unit-test-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'onramp-api-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>home</title>');

async function start(env: Record<string, string>): Promise<{ service: Service; base: string }> {
  const config = readFeedbackConfig({ ONRAMP_DB: join(dir, `${randomUUID()}.db`), ONRAMP_ADMIN_TOKEN: TOKEN, ONRAMP_RATE_LIMIT: '0', ...env });
  const part = await feedbackPart(config, personaIds());
  const service = await createService({ port: 0, host: '127.0.0.1', siteDir: dir }, [part]);
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  return { service, base: `http://127.0.0.1:${(service.server.address() as AddressInfo).port}` };
}

/** A raw request, so bodies, methods and headers reach the server exactly as written. */
function raw(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(base);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const json = { 'Content-Type': 'application/json' };
const auth = { Authorization: `Bearer ${TOKEN}` };
const fb = (over: Record<string, unknown> = {}) => ({ id: randomUUID(), page: '/guides/x/', helpful: false, ...over });
const ev = (over: Record<string, unknown> = {}) => ({ id: randomUUID(), type: 'step_started', at: new Date().toISOString(), session: 'sess-12345678', lab: 'pkl', step: 's1', ...over });
const post = (base: string, path: string, value: unknown, headers: Record<string, string> = json) => raw(base, 'POST', path, typeof value === 'string' ? value : JSON.stringify(value), headers);

let main: { service: Service; base: string };
beforeAll(async () => {
  main = await start({ ONRAMP_ALLOWED_ORIGINS: 'https://docs.example.com' });
});
afterAll(async () => {
  await main.service.close();
});

describe('POST /api/feedback', () => {
  it('accepts an item with 202 and stores it once', async () => {
    const item = fb({ reason: 'out_of_date', comment: 'The flag is gone', quote: 'ramp deploy --old', persona: 'data-scientist' });
    for (let i = 0; i < 3; i++) {
      const res = await post(main.base, '/api/feedback', item);
      expect(res.status).toBe(202);
      expect(JSON.parse(res.body)).toEqual({ ok: true });
    }
    const rows = JSON.parse((await raw(main.base, 'GET', '/api/insights/export?kind=feedback&format=json', undefined, auth)).body) as { id: string }[];
    expect(rows.filter((r) => r.id === item.id)).toHaveLength(1);
    expect(rows.find((r) => r.id === item.id)).toMatchObject({ ...item, receivedAt: expect.any(String) });
  });

  it('accepts text/plain, as navigator.sendBeacon sends it', async () => {
    const res = await post(main.base, '/api/feedback', fb({ helpful: true, reason: 'easy_to_follow' }), { 'Content-Type': 'text/plain;charset=UTF-8' });
    expect(res.status).toBe(202);
  });
});

describe('POST /api/events', () => {
  it('accepts a batch and counts duplicates on resend', async () => {
    const events = Array.from({ length: 100 }, () => ev());
    const first = await post(main.base, '/api/events', { events });
    expect(first.status).toBe(202);
    expect(JSON.parse(first.body)).toEqual({ accepted: 100, duplicates: 0 });
    const again = await post(main.base, '/api/events', { events: [...events.slice(0, 10), ev()] });
    expect(JSON.parse(again.body)).toEqual({ accepted: 1, duplicates: 10 });
  });
});

/** [name, path, body, content type?, expected status (default 400), field the error must name] */
type Bad = [string, string, string | Buffer, string | null, number, string?];
const F = '/api/feedback';
const E = '/api/events';
const J = 'application/json';
const s = (v: unknown) => JSON.stringify(v);
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const stuckWith = (context: Record<string, unknown>) => ({ ...fb(), context, kind: 'stuck', reason: 'check_failed_unclear', lab: 'pkl', step: 's1' });
const BAD: Bad[] = [
  ['not JSON', F, 'helpful=yes', J, 400, 'body'],
  ['truncated JSON', F, '{"id":', J, 400, 'body'],
  ['empty body', F, '', J, 400, 'body'],
  ['JSON null', F, 'null', J, 400, 'body'],
  ['JSON array', F, '[]', J, 400, 'body'],
  ['JSON string', F, '"hello"', J, 400, 'body'],
  ['JSON number', F, '42', J, 400, 'body'],
  ['no content type', F, s(fb()), null, 415],
  ['form content type', F, s(fb()), 'application/x-www-form-urlencoded', 415],
  ['multipart', F, s(fb()), 'multipart/form-data; boundary=x', 415],
  ['latin-1 charset', F, s(fb()), 'application/json; charset=iso-8859-1', 415],
  ['xml', F, '<feedback/>', 'application/xml', 415],
  ['invalid UTF-8', F, Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), J, 400, 'UTF-8'],
  ['overlong UTF-8', F, Buffer.concat([Buffer.from('{"comment":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), J, 400, 'UTF-8'],
  ['UTF-16 body', F, Buffer.from(s(fb()), 'utf16le'), J, 400],
  ['body over 16 KB', F, s(fb({ comment: 'x'.repeat(17000) })), J, 413],
  ['deep nesting', F, deep(5000), J, 400, 'nested'],
  ['deep object nesting', F, '{"a":'.repeat(50) + '1' + '}'.repeat(50), J, 400, 'nested'],
  ['missing id', F, s({ page: '/x/', helpful: true }), J, 400, 'id'],
  ['id not a UUID', F, s(fb({ id: 'abc' })), J, 400, 'id'],
  ['id uppercase', F, s(fb({ id: randomUUID().toUpperCase() })), J, 400, 'id'],
  ['id a number', F, s(fb({ id: 12 })), J, 400, 'id'],
  ['missing page', F, s({ id: randomUUID(), helpful: true }), J, 400, 'page'],
  ['absolute URL page', F, s(fb({ page: 'https://evil.example/x/' })), J, 400, 'page'],
  ['protocol-relative page', F, s(fb({ page: '//evil.example/x/' })), J, 400, 'page'],
  ['javascript: page', F, s(fb({ page: 'javascript:alert(1)' })), J, 400, 'page'],
  ['page with query', F, s(fb({ page: '/x/?email=a@b.c' })), J, 400, 'page'],
  ['page with newline', F, s(fb({ page: '/x/\n' })), J, 400, 'page'],
  ['page too long', F, s(fb({ page: '/' + 'a'.repeat(600) })), J, 400, 'page'],
  ['helpful a string', F, s(fb({ helpful: 'yes' })), J, 400, 'helpful'],
  ['helpful missing', F, s({ id: randomUUID(), page: '/x/' }), J, 400, 'helpful'],
  ['unknown reason', F, s(fb({ reason: 'meh' })), J, 400, 'reason'],
  ['yes reason on a no', F, s(fb({ helpful: false, reason: 'solved_my_problem' })), J, 400, 'reason'],
  ['no reason on a yes', F, s(fb({ helpful: true, reason: 'out_of_date' })), J, 400, 'reason'],
  ['reason a number', F, s(fb({ reason: 3 })), J, 400, 'reason'],
  ['comment too long', F, s(fb({ comment: 'é'.repeat(2001) })), J, 400, 'comment'],
  ['comment with NUL', F, s(fb({ comment: 'a\u0000b' })), J, 400, 'comment'],
  ['comment lone surrogate', F, '{"id":"' + randomUUID() + '","page":"/x/","helpful":false,"comment":"\\ud800"}', J, 400, 'comment'],
  ['comment an object', F, s(fb({ comment: { text: 'hi' } })), J, 400, 'comment'],
  ['quote too long', F, s(fb({ quote: 'q'.repeat(1001) })), J, 400, 'quote'],
  ['unknown persona', F, s(fb({ persona: 'wizard' })), J, 400, 'persona'],
  ['persona wrong case', F, s(fb({ persona: 'Data-Scientist' })), J, 400, 'persona'],
  ['bad lab id', F, s(fb({ lab: '../etc' })), J, 400, 'lab'],
  ['unknown field', F, s(fb({ email: 'a@b.c' })), J, 400, 'email'],
  ['__proto__ field', F, '{"__proto__":{"admin":true},"id":"' + randomUUID() + '","page":"/x/","helpful":true}', J, 400, '__proto__'],
  ['withdrawn without replaces', F, s(fb({ withdrawn: true })), J, 400, 'replaces'],
  ['stuck without lab', F, s(fb({ kind: 'stuck', reason: 'command_failed' })), J, 400, 'lab'],
  ['stuck with a page reason', F, s(fb({ kind: 'stuck', lab: 'a', step: 'b', reason: 'out_of_date' })), J, 400, 'reason'],
  ['unknown kind', F, s(fb({ kind: 'rant' })), J, 400, 'kind'],
  ['context on a page vote', F, s(fb({ context: { stepSeconds: 3 } })), J, 400, 'context'],
  ['check output too long', F, s(stuckWith({ lastCheck: 'failed', checkOutput: 'x'.repeat(1001) })), J, 400, "context.checkOutput: is over 1000 characters; send only the last lines of the check's output"],
  ['check output too long in code points', F, s(stuckWith({ checkOutput: '🚀'.repeat(1001) })), J, 400, 'context.checkOutput: is over 1000 characters'],
  ['check output with NUL', F, s(stuckWith({ checkOutput: 'a\u0000b' })), J, 400, 'context.checkOutput'],
  ['check output not a string', F, s(stuckWith({ checkOutput: ['line 1', 'line 2'] })), J, 400, 'context.checkOutput'],
  ['check output on a page vote', F, s(fb({ context: { checkOutput: 'Error' } })), J, 400, 'context'],
  ['unknown context field', F, s(stuckWith({ checkOutputHtml: '<b>x</b>' })), J, 400, 'checkOutputHtml'],
  ['bad workshop code', F, s(fb({ workshop: 'has space' })), J, 400, 'workshop'],
  ['events not an array', E, s({ events: {} }), J, 400, 'events'],
  ['no events key', E, s({ items: [] }), J, 400, 'events'],
  ['empty events', E, s({ events: [] }), J, 400, 'events'],
  ['101 events', E, s({ events: Array.from({ length: 101 }, () => ({ id: randomUUID(), type: 'hint_viewed', at: '2025-01-01T00:00:00Z', session: 'sess-1234' })) }), J, 400, 'events'],
  ['unknown event type', E, s({ events: [ev({ type: 'page_view' })] }), J, 400, 'events.0.type'],
  ['event without session', E, s({ events: [ev({ session: undefined })] }), J, 400, 'session'],
  ['session too long', E, s({ events: [ev({ session: 'x'.repeat(65) })] }), J, 400, 'session'],
  ['session with spaces', E, s({ events: [ev({ session: 'a b c d e f g h' })] }), J, 400, 'session'],
  ['at not ISO', E, s({ events: [ev({ at: 'yesterday' })] }), J, 400, 'at'],
  ['at without offset', E, s({ events: [ev({ at: '2025-01-01T10:00:00' })] }), J, 400, 'at'],
  ['at impossible date', E, s({ events: [ev({ at: '2025-02-31T10:00:00Z' })] }), J, 400, 'at'],
  ['at in the far future', E, s({ events: [ev({ at: '2999-01-01T00:00:00Z' })] }), J, 400, 'at'],
  ['at a number', E, s({ events: [ev({ at: 1735689600000 })] }), J, 400, 'at'],
  ['data an array', E, s({ events: [ev({ data: [1, 2] })] }), J, 400, 'data'],
  ['data a string', E, s({ events: [ev({ data: 'x' })] }), J, 400, 'data'],
  ['data over 2 KB', E, s({ events: [ev({ data: { blob: 'x'.repeat(2100) } })] }), J, 400, 'data'],
  ['data too deep', E, s({ events: [ev({ data: { a: { b: { c: { d: 1 } } } } })] }), J, 400, 'data'],
  ['data unknown persona', E, s({ events: [ev({ data: { persona: 'wizard' } })] }), J, 400, 'data.persona'],
  ['stuck event unknown reason', E, s({ events: [ev({ type: 'stuck', data: { reason: 'bored' } })] }), J, 400, 'data.reason'],
  ['second event bad', E, s({ events: [ev(), ev({ id: 'nope' })] }), J, 400, 'events.1.id'],
  ['unknown event field', E, s({ events: [ev({ ip: '10.0.0.1' })] }), J, 400, 'ip'],
  ['extra top-level field', E, s({ events: [ev()], user: 'x' }), J, 400, 'user'],
  ['events body over 16 KB', E, s({ events: Array.from({ length: 100 }, () => ev({ data: { pad: 'y'.repeat(200) } })) }), J, 413],
];

describe('bad input', () => {
  it(`has a corpus of at least 50 payloads (${BAD.length})`, () => {
    expect(BAD.length).toBeGreaterThanOrEqual(50);
  });

  it.each(BAD)('%s → 4xx naming the problem', async (_name, path, body, type, status, field) => {
    const res = await raw(main.base, 'POST', path, body, type ? { 'Content-Type': type } : {});
    expect(res.status).toBe(status);
    const error = JSON.parse(res.body).error as string;
    expect(typeof error).toBe('string');
    if (field) expect(error).toContain(field);
  });

  it('stored none of the bad payloads and still serves', async () => {
    const health = await raw(main.base, 'GET', '/api/health');
    expect(health.status).toBe(200);
    const res = await post(main.base, '/api/feedback', fb({ helpful: true }));
    expect(res.status).toBe(202);
    const rows = JSON.parse((await raw(main.base, 'GET', '/api/insights/export?kind=events&format=json', undefined, auth)).body) as { type: string }[];
    expect(rows.some((r) => r.type === 'page_view')).toBe(false);
  });

  it('refuses wrong methods without a 5xx', async () => {
    expect((await raw(main.base, 'GET', F)).status).toBe(405);
    expect((await raw(main.base, 'PUT', E, '{}', json)).status).toBe(405);
    expect((await raw(main.base, 'DELETE', '/api/insights', undefined, auth)).status).toBe(405);
  });
});

describe('nasty but valid text', () => {
  it('is stored and exported verbatim as JSON and safely as CSV', async () => {
    const ids: string[] = [];
    for (const text of NASTY) {
      const item = fb({ comment: text, quote: text, page: '/nasty/', reason: 'other' });
      ids.push(item.id as string);
      expect((await post(main.base, F, item)).status).toBe(202);
    }
    const rows = JSON.parse((await raw(main.base, 'GET', '/api/insights/export?kind=feedback&format=json', undefined, auth)).body) as { id: string; comment: string; quote: string }[];
    NASTY.forEach((text, i) => {
      const row = rows.find((r) => r.id === ids[i])!;
      expect(row.comment).toBe(text);
      expect(row.quote).toBe(text);
    });
    const csv = await raw(main.base, 'GET', '/api/insights/export?kind=feedback&format=csv', undefined, auth);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="onramp-feedback-.*\.csv"/);
    for (const text of NASTY) expect(csv.body).toContain(csvCell(text));
    // No cell starts a formula.
    for (const cell of parseCsv(csv.body).flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // The comments feed returns the same text (the page renders it with textContent).
    const feed = JSON.parse((await raw(main.base, 'GET', '/api/insights/comments?limit=500', undefined, auth)).body) as { items: { id: string; comment: string }[] };
    expect(feed.items.find((i) => i.id === ids[3])!.comment).toBe(NASTY[3]);
  });
});

describe("a stuck report's check output", () => {
  it('is stored and returned verbatim (JSON, CSV, the comments feed), also without a comment', async () => {
    const html = '<script>window.__pwned = 1</script>\n<img src=x onerror="window.__pwned=1">\n</pre><b>bold</b> &amp; done';
    const texts = [html, ...NASTY, '🚀'.repeat(1000)];
    const items = texts.map((checkOutput) => stuckWith({ stepSeconds: 90, lastCheck: 'failed', runtime: 'runner', checkOutput }));
    for (const item of items) expect((await post(main.base, F, item)).status).toBe(202);
    const rows = JSON.parse((await raw(main.base, 'GET', '/api/insights/export?kind=feedback&format=json', undefined, auth)).body) as { id: string; context?: Record<string, unknown> }[];
    items.forEach((item, i) => expect(rows.find((r) => r.id === item.id)!.context).toEqual({ stepSeconds: 90, lastCheck: 'failed', runtime: 'runner', checkOutput: texts[i] }));
    // CSV: the context column holds the same JSON, quoted; no cell starts a formula.
    const csv = await raw(main.base, 'GET', '/api/insights/export?kind=feedback&format=csv', undefined, auth);
    const cells = parseCsv(csv.body);
    const column = cells[0]!.indexOf('context');
    for (const item of items) {
      const row = cells.find((r) => r[0] === item.id)!;
      expect(JSON.parse(row[column]!)).toEqual(item.context);
    }
    // The dashboard's feed lists them (for triage) with the text as sent; it draws it with textContent.
    const feed = JSON.parse((await raw(main.base, 'GET', '/api/insights/comments?limit=500', undefined, auth)).body) as { items: { id: string; comment: string | null; context: { checkOutput?: string } | null }[] };
    const shown = feed.items.find((i) => i.id === items[0]!.id)!;
    expect(shown.comment).toBeNull();
    expect(shown.context!.checkOutput).toBe(html);
    expect(feed.items.filter((i) => items.some((x) => x.id === i.id))).toHaveLength(items.length);
  });

  it('is refused for good when over the limit, and nothing is stored', async () => {
    const item = stuckWith({ lastCheck: 'failed', checkOutput: 'é'.repeat(1001) });
    const res = await post(main.base, F, item);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatch(/^context\.checkOutput: is over 1000 characters/);
    const rows = JSON.parse((await raw(main.base, 'GET', '/api/insights/export?kind=feedback&format=json', undefined, auth)).body) as { id: string }[];
    expect(rows.some((r) => r.id === item.id)).toBe(false);
    // At the limit it is accepted.
    expect((await post(main.base, F, stuckWith({ checkOutput: 'é'.repeat(1000) }))).status).toBe(202);
  });
});

/** A strict RFC 4180 reader, to prove the CSV parses back to the original cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (cell += c), i++;
    } else if (c === '"') (quoted = true), i++;
    else if (c === ',') row.push(cell), (cell = ''), i++;
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), (i += 2);
    else (cell += c), i++;
  }
  return rows;
}

describe('CSV cells', () => {
  it('quotes and neutralises formulas', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=a,"b"')).toBe(`"'=a,""b"""`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(false)).toBe('false');
    expect(parseCsv(`${csvCell('line\nbreak')},${csvCell('x')}\r\n`)).toEqual([['line\nbreak', 'x']]);
  });
});

describe('insights API', () => {
  it('needs the admin token', async () => {
    for (const path of ['/api/insights', '/api/insights/summary', '/api/insights/export?kind=events&format=csv']) {
      expect((await raw(main.base, 'GET', path)).status).toBe(401);
      expect((await raw(main.base, 'GET', path, undefined, { Authorization: 'Bearer wrong-token-of-some-length' })).status).toBe(401);
      expect((await raw(main.base, 'GET', path, undefined, { Authorization: `Basic ${TOKEN}` })).status).toBe(401);
    }
    expect((await raw(main.base, 'PATCH', `/api/insights/comments/${randomUUID()}`, '{"status":"resolved"}', json)).status).toBe(401);
  });

  it('serves every section, with filters', async () => {
    const all = await raw(main.base, 'GET', '/api/insights?persona=data-scientist&from=2020-01-01&to=2999-12-31', undefined, auth);
    expect(all.status).toBe(200);
    const body = JSON.parse(all.body);
    for (const key of ['summary', 'pages', 'friction', 'reasons', 'comments', 'funnels', 'ttfe', 'trends', 'options']) expect(body).toHaveProperty(key);
    for (const section of ['summary', 'pages', 'friction', 'reasons', 'comments', 'funnels', 'ttfe', 'trends', 'options']) {
      expect((await raw(main.base, 'GET', `/api/insights/${section}`, undefined, auth)).status).toBe(200);
    }
    expect((await raw(main.base, 'GET', '/api/insights/nope', undefined, auth)).status).toBe(404);
    expect((await raw(main.base, 'GET', '/api/insights?persona=wizard', undefined, auth)).status).toBe(400);
    expect((await raw(main.base, 'GET', '/api/insights?from=someday', undefined, auth)).status).toBe(400);
    expect((await raw(main.base, 'GET', '/api/insights/export?kind=users', undefined, auth)).status).toBe(400);
    expect((await raw(main.base, 'GET', '/api/insights/export?format=xlsx', undefined, auth)).status).toBe(400);
  });

  it('triages a comment', async () => {
    const item = fb({ comment: 'needs a fix', reason: 'missing_info' });
    await post(main.base, F, item);
    const patch = (body: unknown, id = item.id as string) => raw(main.base, 'PATCH', `/api/insights/comments/${id}`, JSON.stringify(body), { ...json, ...auth });
    const res = await patch({ status: 'in_progress', note: 'DOCS-12' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ id: item.id, status: 'in_progress', note: 'DOCS-12' });
    expect((await patch({ status: 'done' })).status).toBe(400);
    expect((await patch({})).status).toBe(400);
    expect((await patch({ status: 'resolved' }, randomUUID())).status).toBe(404);
    const feed = JSON.parse((await raw(main.base, 'GET', '/api/insights/comments?status=in_progress', undefined, auth)).body);
    expect(feed.items.map((i: { id: string }) => i.id)).toContain(item.id);
  });
});

describe('CORS', () => {
  it('answers preflight for allowed origins only', async () => {
    const ok = await raw(main.base, 'OPTIONS', F, undefined, { Origin: 'https://docs.example.com', 'Access-Control-Request-Method': 'POST' });
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://docs.example.com');
    expect(ok.headers['access-control-allow-methods']).toContain('POST');
    const no = await raw(main.base, 'OPTIONS', F, undefined, { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' });
    expect(no.status).toBe(403);
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts posts from allowed and same origins, refuses others', async () => {
    const allowed = await post(main.base, F, fb(), { ...json, Origin: 'https://docs.example.com' });
    expect(allowed.status).toBe(202);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://docs.example.com');
    const same = await post(main.base, F, fb(), { ...json, Origin: main.base });
    expect(same.status).toBe(202);
    const beaconFromElsewhere = await post(main.base, F, fb(), { 'Content-Type': 'text/plain', Origin: 'https://evil.example' });
    expect(beaconFromElsewhere.status).toBe(403);
  });
});

describe('rate limit', () => {
  it('keys clients by a daily-salted hash that holds no address', () => {
    let now = Date.UTC(2025, 0, 1, 12);
    const limiter = new RateLimiter(10, () => now);
    const key = limiter.keyOf('203.0.113.9', 'Mozilla/5.0');
    expect(key).not.toContain('203.0.113.9');
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(limiter.keyOf('203.0.113.9', 'Mozilla/5.0')).toBe(key);
    expect(limiter.keyOf('203.0.113.9', 'Other/1.0')).not.toBe(key);
    now += 86_400_000;
    expect(limiter.keyOf('203.0.113.9', 'Mozilla/5.0')).not.toBe(key);
    // Tokens refill over the minute.
    for (let i = 0; i < 10; i++) expect(limiter.take('k')).toBe(0);
    expect(limiter.take('k')).toBeGreaterThan(0);
    now += 6_000;
    expect(limiter.take('k')).toBe(0);
    expect(new RateLimiter(0).take('k')).toBe(0);
  });

  it('gives a keep-alive connection the same key as its address and user agent, and a new one the next day', () => {
    let now = Date.UTC(2025, 0, 1, 12);
    const limiter = new RateLimiter(10, () => now);
    const connection = {};
    const key = limiter.keyOfConnection(connection, '203.0.113.9', 'Mozilla/5.0');
    expect(key).toBe(limiter.keyOf('203.0.113.9', 'Mozilla/5.0'));
    expect(limiter.keyOfConnection(connection, '203.0.113.9', 'Mozilla/5.0')).toBe(key);
    expect(limiter.keyOfConnection({}, '203.0.113.9', 'Mozilla/5.0')).toBe(key);
    expect(limiter.keyOfConnection(connection, '203.0.113.9', 'Other/1.0')).toBe(limiter.keyOf('203.0.113.9', 'Other/1.0'));
    expect(limiter.keyOfConnection(connection, '198.51.100.7', 'Other/1.0')).not.toBe(limiter.keyOf('203.0.113.9', 'Other/1.0'));
    now += 86_400_000;
    const next = limiter.keyOfConnection(connection, '198.51.100.7', 'Other/1.0');
    expect(next).toBe(limiter.keyOf('198.51.100.7', 'Other/1.0'));
    expect(limiter.keyOfConnection(connection, '198.51.100.7', 'Other/1.0')).toBe(next);
  });

  it('answers 429 with Retry-After past the limit, per client', async () => {
    const limited = await start({ ONRAMP_RATE_LIMIT: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await post(limited.base, F, fb(), { ...json, 'User-Agent': 'agent-a' })).status);
      expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      const res = await post(limited.base, F, fb(), { ...json, 'User-Agent': 'agent-a' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // Another browser behind the same address has its own budget.
      expect((await post(limited.base, F, fb(), { ...json, 'User-Agent': 'agent-b' })).status).toBe(202);
    } finally {
      await limited.service.close();
    }
  });
});
