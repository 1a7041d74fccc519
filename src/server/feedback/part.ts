/**
 * The feedback part of the Onramp service:
 *   POST  /api/feedback                 one feedback item            → 202 { ok: true }
 *   POST  /api/events                   { events: [...] } (≤ 100)    → 202 { accepted, duplicates }
 *   GET   /api/insights                 every section at once (admin)
 *   GET   /api/insights/:section        summary | pages | friction | reasons | comments | funnels | ttfe | trends | options
 *   GET   /api/insights/export          ?kind=feedback|events&format=json|csv
 *   PATCH /api/insights/comments/:id    { status?, note? }
 * Insights need `Authorization: Bearer <admin token>` (auth/tokens.ts; tokens are managed at
 * /api/tokens, auth/routes.ts). Bad input is a 4xx naming the field.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route, ServicePart } from '../app.ts';
import { HttpError, sendJson } from '../http.ts';
import { openStore, type Store } from '../store/index.ts';
import { describeIssue, feedbackSchemas, LIMITS, TRIAGE_STATUSES, type EventInput, type FeedbackInput, type LabSteps, type TriageStatus } from '../../shared/feedback.ts';
import type { FeedbackConfig } from './config.ts';
import { applyCors, clientAddress, preflight, RateLimiter, readJson } from './guard.ts';
import { Authenticator } from '../auth/guard.ts';
import { tokenRoutes } from '../auth/routes.ts';
import { bootstrapAdmin, type Bootstrap, type Role } from '../auth/tokens.ts';
import { comments, options, parseFilter, SECTIONS, type Filter } from './insights.ts';
import { streamExport } from './export.ts';
import type { TokenRow } from '../store/types.ts';
import type { EventHooks } from '../workshops/part.ts';

export interface FeedbackPart extends ServicePart {
  store: Store;
  /** What bootstrapping the first admin token did (a generated token to print once). */
  bootstrap: Bootstrap;
  /**
   * CORS and the rate limit, for other parts: per workshop participant when `participant` (a
   * participant id whose token was verified) is given, else per client. Returns the key charged.
   */
  guard(req: IncomingMessage, res: ServerResponse, participant?: string): string;
  /** guard() plus a token of at least `role`. */
  authorized(req: IncomingMessage, res: ServerResponse, role: Role): Promise<TokenRow>;
  /** Lets the workshops part check events that carry a workshop, and see them once stored. */
  useEventHooks(hooks: EventHooks): void;
}

/** Store failures are the service's problem, not the client's: 503, and the browser retries. */
async function stored<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    console.error('[onramp] store write failed:', (error as Error).message);
    throw new HttpError(503, 'could not store this right now; retry later');
  }
}

export async function feedbackPart(config: FeedbackConfig, personas: readonly [string, ...string[]], store?: Store, labs?: LabSteps, now: () => number = Date.now): Promise<FeedbackPart> {
  const db = store ?? (await openStore(config.store));
  const schemas = feedbackSchemas(personas, labs);
  const limiter = new RateLimiter(config.rateLimit, now);
  // A room of learners behind one address (a NAT) is many participants, each with their own budget.
  const perParticipant = new RateLimiter(config.rateLimit, now);
  const cors = { allowed: config.allowedOrigins };
  const bootstrap = await bootstrapAdmin(db, config.adminToken);
  const auth = new Authenticator(db, { perToken: config.tokenRateLimit });
  let eventHooks: EventHooks | null = null;

  /** CORS and the rate limit: per participant (verified) when given, else per client; returns the key charged. */
  function guard(req: IncomingMessage, res: ServerResponse, participant?: string): string {
    applyCors(req, res, cors);
    return charge(req, res, participant ?? null);
  }

  function charge(req: IncomingMessage, res: ServerResponse, participant: string | null): string {
    const [bucket, key] = participant
      ? [perParticipant, `participant:${participant}`]
      : [limiter, limiter.keyOfConnection(req.socket, clientAddress(req, config.trustProxy), String(req.headers['user-agent'] ?? ''))];
    const wait = bucket.take(key);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new HttpError(429, `too many requests; retry in ${wait} s`);
    }
    return key;
  }

  /**
   * An ingest request, rate-limited by who sent it: `identify` reads and checks it and names the
   * workshop participant it was verified for (or null). It is charged to that participant, else
   * to the client; one that fails to read or verify is charged to the client (a 429 wins).
   */
  async function ingest<T>(req: IncomingMessage, res: ServerResponse, identify: () => Promise<{ participant: string | null; value: T }>): Promise<T> {
    applyCors(req, res, cors);
    let found: { participant: string | null; value: T };
    try {
      found = await identify();
    } catch (error) {
      charge(req, res, null);
      throw error;
    }
    charge(req, res, found.participant);
    return found.value;
  }

  async function authorized(req: IncomingMessage, res: ServerResponse, role: Role) {
    return auth.require(req, role, guard(req, res));
  }

  const admin = (req: IncomingMessage, res: ServerResponse) => authorized(req, res, 'admin');

  const options_ = (methods: string) => (req: IncomingMessage, res: ServerResponse) => preflight(req, res, cors, methods);

  async function all(f: Filter) {
    const [summary, pages, friction, reasons, funnels, ttfe, trends, feed, choices] = await Promise.all([
      SECTIONS.summary(db, f),
      SECTIONS.pages(db, f),
      SECTIONS.friction(db, f),
      SECTIONS.reasons(db, f),
      SECTIONS.funnels(db, f),
      SECTIONS.ttfe(db, f),
      SECTIONS.trends(db, f),
      comments(db, f, { limit: 50 }),
      options(db, personas),
    ]);
    return { summary, pages, friction, reasons, funnels, ttfe, trends, comments: feed, options: choices };
  }

  const routes: Route[] = [
    {
      method: 'POST',
      path: '/api/feedback',
      async handler(req, res) {
        const item = await ingest(req, res, async () => {
          const parsed = schemas.feedback.safeParse(await readJson(req, LIMITS.body, true));
          if (!parsed.success) throw new HttpError(400, describeIssue(parsed.error));
          const { participant, ...value } = parsed.data;
          if (value.workshop === undefined) return { participant: null, value };
          if (!eventHooks) throw new HttpError(403, 'workshop: this service runs no workshops');
          return { participant: await eventHooks.checkFeedback(value.workshop, participant), value };
        });
        await stored(db.addFeedback(item as FeedbackInput, Date.now()));
        sendJson(res, 202, { ok: true });
      },
    },
    { method: 'OPTIONS', path: '/api/feedback', handler: options_('POST') },
    {
      method: 'POST',
      path: '/api/events',
      async handler(req, res) {
        const events = await ingest(req, res, async () => {
          const parsed = schemas.events.safeParse(await readJson(req, LIMITS.body, true));
          if (!parsed.success) throw new HttpError(400, describeIssue(parsed.error));
          const value = parsed.data.events as EventInput[];
          if (!value.some((e) => e.workshop !== undefined)) return { participant: null, value };
          if (!eventHooks) throw new HttpError(403, 'workshop: this service runs no workshops');
          return { participant: await eventHooks.check(value, parsed.data.participant), value };
        });
        const receivedAt = Date.now();
        const result = await stored(db.addEvents(events, receivedAt));
        await eventHooks?.stored(events, receivedAt);
        sendJson(res, 202, result);
      },
    },
    { method: 'OPTIONS', path: '/api/events', handler: options_('POST') },
    {
      method: 'GET',
      path: '/api/insights',
      async handler(req, res, url) {
        await admin(req, res);
        sendJson(res, 200, await all(parseFilter(url, personas)));
      },
    },
    { method: 'OPTIONS', path: '/api/insights', handler: options_('GET') },
    {
      method: 'GET',
      path: '/api/insights/export',
      async handler(req, res, url) {
        await admin(req, res);
        const kind = url.searchParams.get('kind') ?? 'feedback';
        const format = url.searchParams.get('format') ?? 'json';
        if (kind !== 'feedback' && kind !== 'events') throw new HttpError(400, 'kind: expected feedback or events');
        if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'format: expected json or csv');
        const filter = parseFilter(url, personas);
        await streamExport(res, db, kind, format, filter);
      },
    },
    { method: 'OPTIONS', path: '/api/insights/export', handler: options_('GET') },
    {
      method: 'PATCH',
      path: '/api/insights/comments/:id',
      async handler(req, res, _url, params) {
        await admin(req, res);
        const body = await readJson(req, LIMITS.body, false);
        const parsed = schemas.triage.safeParse(body);
        if (!parsed.success) throw new HttpError(400, describeIssue(parsed.error));
        const id = params.id ?? '';
        if (!/^[0-9a-f-]{36}$/.test(id)) throw new HttpError(400, 'id: must be a feedback id (a lowercase UUID)');
        const row = await stored(db.setTriage(id, parsed.data, Date.now()));
        if (!row) throw new HttpError(404, `no feedback with id ${id}`);
        sendJson(res, 200, row);
      },
    },
    { method: 'OPTIONS', path: '/api/insights/comments/:id', handler: options_('PATCH') },
    {
      method: 'GET',
      path: '/api/insights/:section',
      async handler(req, res, url, params) {
        await admin(req, res);
        const section = params.section ?? '';
        const filter = parseFilter(url, personas);
        if (section === 'comments') {
          const status = url.searchParams.get('status');
          if (status && !(TRIAGE_STATUSES as readonly string[]).includes(status)) throw new HttpError(400, `status: expected one of ${TRIAGE_STATUSES.join(', ')}`);
          const num = (name: string) => {
            const raw = url.searchParams.get(name);
            if (raw === null) return undefined;
            const v = Number(raw);
            if (!Number.isInteger(v) || v < 0) throw new HttpError(400, `${name}: expected a whole number`);
            return v;
          };
          sendJson(res, 200, await comments(db, filter, { status: (status as TriageStatus) || undefined, limit: num('limit'), offset: num('offset') }));
          return;
        }
        if (section === 'options') {
          sendJson(res, 200, await options(db, personas));
          return;
        }
        if (!Object.hasOwn(SECTIONS, section)) throw new HttpError(404, `no insights section "${section.slice(0, 40)}"; try summary, pages, friction, reasons, comments, funnels, ttfe, trends`);
        sendJson(res, 200, await SECTIONS[section as keyof typeof SECTIONS](db, filter));
      },
    },
    { method: 'OPTIONS', path: '/api/insights/:section', handler: options_('GET') },
  ];

  routes.push(...tokenRoutes(db, authorized));
  for (const path of ['/api/tokens', '/api/auth/me']) routes.push({ method: 'OPTIONS', path, handler: options_('GET, POST') });
  routes.push({ method: 'OPTIONS', path: '/api/tokens/:id', handler: options_('DELETE') });

  return {
    store: db,
    bootstrap,
    guard,
    authorized,
    useEventHooks(hooks) {
      eventHooks = hooks;
    },
    routes,
    close: () => db.close(),
  };
}
