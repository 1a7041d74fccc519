/**
 * The insights page: asks for the admin token (kept in sessionStorage for this tab), loads
 * /api/insights with the chosen filters, and draws every section. All reader text goes through
 * textContent (via h()), never innerHTML.
 */
import { REASON_LABELS, TRIAGE_STATUSES, type FeedbackReason, type TriageStatus } from '../../shared/feedback-ids.ts';
import { API_BASE } from '../client.ts';
import { h, uid } from '../form.ts';
import { barChart, legend, table } from './charts.ts';

const TOKEN_KEY = 'onramp:admin-token';
const STATUS_LABELS: Record<TriageStatus, string> = { new: 'New', in_progress: 'In progress', resolved: 'Resolved', dismissed: 'Dismissed' };

interface Insights {
  summary: Record<string, number | null>;
  pages: { page: string; yes: number; no: number; total: number; helpfulRate: number }[];
  friction: {
    pages: { page: string; no: number; stuck: number; score: number }[];
    steps: { lab: string; step: string | null; no: number; stuck: number; checksFailed: number; failedSessions: number; hints: number; solutions: number; score: number }[];
  };
  reasons: { yes: { reason: string; count: number }[]; no: { reason: string; count: number }[]; stuck: { reason: string; count: number }[] };
  comments: { total: number; items: Comment[] };
  funnels: { lab: string; started: number; steps: { step: string; reached: number }[]; completed: number }[];
  ttfe: { persona: string; sessions: number; reached: number; medianMinutes: number | null; p90Minutes: number | null; buckets: { label: string; count: number }[] }[];
  trends: { week: string; yes: number; no: number; stuck: number; sessions: number; labsStarted: number; labsCompleted: number; endpointsLive: number }[];
  options: { personas: string[]; labs: string[]; workshops: string[] };
}

interface Comment {
  id: string;
  receivedAt: string;
  page: string;
  helpful: boolean;
  kind: string;
  reason: string | null;
  comment: string | null;
  quote: string | null;
  persona: string | null;
  lab: string | null;
  step: string | null;
  workshop: string | null;
  context: { stepSeconds?: number; lastCheck?: string; runtime?: string; checkOutput?: string } | null;
  status: TriageStatus;
  note: string | null;
}

const token = {
  get: () => {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  set: (t: string | null) => {
    try {
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* kept for this page only */
    }
  },
};

class Unauthorized extends Error {}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const t = token.get();
  const res = await fetch(API_BASE + path, { ...init, credentials: 'omit', headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${t ?? ''}` } });
  if (res.status === 401) throw new Unauthorized();
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `HTTP ${res.status}`);
  }
  return res;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`);
const mins = (x: number | null) => (x === null ? '–' : x < 10 ? `${x.toFixed(1)} min` : `${Math.round(x)} min`);
const reasonLabel = (r: string) => REASON_LABELS[r as FeedbackReason] ?? (r === 'none_given' ? 'No reason given' : r);

function section(id: string, title: string, ...content: (Node | null)[]): HTMLElement {
  const headingId = `${id}-title`;
  return h('section', { class: 'onramp-ins-section', 'aria-labelledby': headingId, id }, h('h2', { id: headingId, text: title }), ...content);
}

function empty(text: string): HTMLElement {
  return h('p', { class: 'onramp-ins-empty', text });
}

function summaryView(s: Insights['summary']): HTMLElement {
  const items: [string, string][] = [
    ['Answers', String(s.votes ?? 0)],
    ['Helpful', pct(s.helpfulRate as number | null)],
    ['Unhelpful answers', String(s.no ?? 0)],
    ['Stuck reports', String(s.stuck ?? 0)],
    ['Comments', String(s.comments ?? 0)],
    ['Comments not yet triaged', String(s.untriaged ?? 0)],
    ['Sessions with events', String(s.sessions ?? 0)],
    ['Labs started', String(s.labsStarted ?? 0)],
    ['Labs completed', String(s.labsCompleted ?? 0)],
    ['First endpoints live', String(s.endpointsLive ?? 0)],
  ];
  return section('summary', 'Summary', h('dl', { class: 'onramp-ins-stats' }, ...items.map(([k, v]) => h('div', {}, h('dt', { text: k }), h('dd', { text: v })))));
}

function pagesView(pages: Insights['pages']): HTMLElement {
  if (!pages.length) return section('pages', 'Helpfulness by page', empty('No answers yet for these filters.'));
  const rows = pages.slice(0, 25);
  return section(
    'pages',
    'Helpfulness by page',
    h('p', { text: 'Worst first: the lowest share of "yes", then the most "no".' }),
    legend([{ tone: 'good', name: 'Yes' }, { tone: 'bad', name: 'No' }]),
    barChart({
      title: 'Helpfulness by page',
      summary: `${pages.length} pages with answers; the least helpful is ${pages[0]!.page} at ${pct(pages[0]!.helpfulRate)} helpful of ${pages[0]!.total}.`,
      rows: rows.map((p) => ({ label: p.page, note: `${pct(p.helpfulRate)} of ${p.total}`, segments: [{ value: p.yes, tone: 'good', name: 'yes' }, { value: p.no, tone: 'bad', name: 'no' }] })),
      tableHead: ['Page', 'Yes', 'No', 'Answers', 'Helpful'],
      tableRows: pages.map((p) => [p.page, p.yes, p.no, p.total, pct(p.helpfulRate)]),
    }),
  );
}

function frictionView(f: Insights['friction']): HTMLElement {
  const parts: Node[] = [];
  if (f.pages.length) {
    parts.push(
      h('h3', { text: 'Pages' }),
      legend([{ tone: 'bad', name: 'Unhelpful answers' }, { tone: 'warn', name: 'Stuck reports' }]),
      barChart({
        title: 'Friction by page',
        summary: `Most friction: ${f.pages[0]!.page} with ${f.pages[0]!.no} unhelpful answers and ${f.pages[0]!.stuck} stuck reports.`,
        rows: f.pages.slice(0, 20).map((p) => ({ label: p.page, segments: [{ value: p.no, tone: 'bad', name: 'unhelpful' }, { value: p.stuck, tone: 'warn', name: 'stuck' }] })),
        tableHead: ['Page', 'Unhelpful', 'Stuck'],
        tableRows: f.pages.map((p) => [p.page, p.no, p.stuck]),
      }),
    );
  }
  if (f.steps.length) {
    parts.push(
      h('h3', { text: 'Lab steps' }),
      h('p', { text: 'Score: 3 × (stuck reports + unhelpful answers) + sessions with a failed check + solutions revealed.' }),
      barChart({
        title: 'Friction by lab step',
        summary: `Most friction: ${f.steps[0]!.lab} / ${f.steps[0]!.step ?? '(no step)'} with score ${f.steps[0]!.score}.`,
        rows: f.steps.slice(0, 20).map((s) => ({ label: `${s.lab} / ${s.step ?? '–'}`, note: `score ${s.score}`, segments: [{ value: s.score, tone: 'warn', name: 'score' }] })),
        tableHead: ['Lab / step', 'Stuck', 'Unhelpful', 'Failed checks', 'Sessions failing', 'Hints', 'Solutions', 'Score'],
        tableRows: f.steps.map((s) => [`${s.lab} / ${s.step ?? '–'}`, s.stuck, s.no, s.checksFailed, s.failedSessions, s.hints, s.solutions, s.score]),
      }),
    );
  }
  return section('friction', 'Friction hot spots', ...(parts.length ? parts : [empty('No friction reported for these filters.')]));
}

function reasonsView(r: Insights['reasons']): HTMLElement {
  const chart = (title: string, list: { reason: string; count: number }[], tone: 'good' | 'bad' | 'warn') =>
    list.length
      ? barChart({
          title,
          summary: `Top: ${reasonLabel(list[0]!.reason)} (${list[0]!.count}).`,
          rows: list.map((x) => ({ label: reasonLabel(x.reason), segments: [{ value: x.count, tone, name: 'answers' }] })),
          tableHead: ['Reason', 'Count'],
          tableRows: list.map((x) => [reasonLabel(x.reason), x.count]),
        })
      : empty(`${title}: none yet.`);
  return section('reasons', 'Reasons', h('h3', { text: 'When a page did not help' }), chart('Reasons for "No"', r.no, 'bad'), h('h3', { text: 'When a page helped' }), chart('Reasons for "Yes"', r.yes, 'good'), h('h3', { text: "I'm stuck" }), chart('Stuck reasons', r.stuck, 'warn'));
}

/** The failed check's output a stuck report carried: text only (never parsed), scrollable by keyboard. */
function checkOutputView(text: string): HTMLElement {
  const label = 'Output of the last check';
  return h('div', { class: 'onramp-ins-output' }, h('p', { class: 'onramp-ins-meta', text: `${label}:` }), h('pre', { tabindex: '0', 'aria-label': label, text }));
}

function commentView(c: Comment): HTMLElement {
  const what = c.kind === 'stuck' ? "I'm stuck" : c.helpful ? 'Helpful' : 'Not helpful';
  const meta = [new Date(c.receivedAt).toLocaleString(), what, c.reason ? reasonLabel(c.reason) : null, c.persona, c.lab ? `lab ${c.lab}${c.step ? ` / ${c.step}` : ''}` : null, c.workshop ? `workshop ${c.workshop}` : null]
    .filter(Boolean)
    .join(' · ');
  const ctx = c.context ? `On the step ${c.context.stepSeconds ?? '?'} s; last check ${c.context.lastCheck ?? 'none'}${c.context.runtime ? `; runtime ${c.context.runtime}` : ''}.` : null;
  const link = h('a', { href: c.page, text: c.page });
  const statusId = uid('status');
  const noteId = uid('note');
  const select = h('select', { id: statusId });
  for (const s of TRIAGE_STATUSES) select.append(h('option', { value: s, text: STATUS_LABELS[s], selected: s === c.status }));
  const note = h('textarea', { id: noteId, rows: '2' });
  note.value = c.note ?? '';
  const save = h('button', { type: 'submit', text: 'Save triage' });
  const said = h('p', { class: 'onramp-ins-saved', role: 'status' });
  const form = h(
    'form',
    { class: 'onramp-ins-triage', 'aria-label': `Triage of feedback on ${c.page}` },
    h('div', {}, h('label', { for: statusId, text: 'Status' }), select),
    h('div', {}, h('label', { for: noteId, text: 'Note (team only)' }), note),
    save,
    said,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    said.textContent = '';
    try {
      await api(`/api/insights/comments/${encodeURIComponent(c.id)}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: select.value, note: note.value }) });
      said.textContent = `Saved: ${STATUS_LABELS[select.value as TriageStatus]}.`;
    } catch (error) {
      if (error instanceof Unauthorized) return signOut('Your token is no longer accepted. Sign in again.');
      said.textContent = `Not saved: ${(error as Error).message}`;
    } finally {
      save.disabled = false;
    }
  });
  return h(
    'article',
    { class: 'onramp-ins-comment', 'data-status': c.status },
    h('h3', {}, link),
    h('p', { class: 'onramp-ins-meta', text: meta }),
    c.quote ? h('blockquote', { text: c.quote }) : null,
    c.comment ? h('p', { class: 'onramp-ins-text', text: c.comment }) : null,
    ctx ? h('p', { class: 'onramp-ins-meta', text: ctx }) : null,
    c.context?.checkOutput ? checkOutputView(c.context.checkOutput) : null,
    form,
  );
}

function commentsView(c: Insights['comments']): HTMLElement {
  if (!c.items.length) return section('comments', 'Comments', empty('No comments for these filters.'));
  return section('comments', 'Comments', h('p', { text: `${c.total} comments; the newest ${c.items.length} are shown.` }), h('div', { class: 'onramp-ins-comments' }, ...c.items.map(commentView)));
}

function funnelsView(f: Insights['funnels']): HTMLElement {
  if (!f.length) return section('funnels', 'Lab funnels', empty('No lab events for these filters.'));
  return section(
    'funnels',
    'Lab funnels',
    ...f.flatMap((lab) => {
      const stages = [{ label: 'Started', n: lab.started }, ...lab.steps.map((s) => ({ label: `Step: ${s.step}`, n: s.reached })), { label: 'Completed', n: lab.completed }];
      const done = lab.started ? lab.completed / lab.started : null;
      return [
        h('h3', { text: lab.lab }),
        barChart({
          title: `Funnel of ${lab.lab}`,
          summary: `${lab.started} sessions started ${lab.lab}; ${lab.completed} completed it (${pct(done)}).`,
          max: Math.max(1, lab.started, ...stages.map((s) => s.n)),
          rows: stages.map((s) => ({ label: s.label, note: `${s.n} (${pct(lab.started ? s.n / lab.started : null)})`, segments: [{ value: s.n, tone: 'neutral', name: 'sessions' }] })),
          tableHead: ['Stage', 'Sessions', 'Of started'],
          tableRows: stages.map((s) => [s.label, s.n, pct(lab.started ? s.n / lab.started : null)]),
        }),
      ];
    }),
  );
}

function ttfeView(t: Insights['ttfe']): HTMLElement {
  if (!t.length) return section('ttfe', 'Time to first endpoint', empty('No lab starts for these filters.'));
  const parts: Node[] = [
    h('p', { text: 'From a session’s first lab start to its first successful prediction against a live endpoint.' }),
    table('Time to first endpoint by persona', ['Persona', 'Sessions', 'Reached an endpoint', 'Median', '90th percentile'], t.map((g) => [g.persona, g.sessions, g.reached, mins(g.medianMinutes), mins(g.p90Minutes)])),
  ];
  for (const g of t.filter((g) => g.reached > 0)) {
    parts.push(
      h('h3', { text: `Distribution: ${g.persona}` }),
      barChart({
        title: `Time to first endpoint, ${g.persona}`,
        summary: `${g.reached} of ${g.sessions} sessions reached a live endpoint; median ${mins(g.medianMinutes)}, 90th percentile ${mins(g.p90Minutes)}.`,
        rows: g.buckets.map((b) => ({ label: b.label, segments: [{ value: b.count, tone: 'good', name: 'sessions' }] })),
        tableHead: ['Time', 'Sessions'],
        tableRows: g.buckets.map((b) => [b.label, b.count]),
      }),
    );
  }
  return section('ttfe', 'Time to first endpoint', ...parts);
}

interface WorkshopListing {
  code: string;
  title: string;
  startsAt: string;
  ended: boolean;
  boardUrl: string;
}

/** Workshops, each linking to its board and report (completion, times, failed checks and stuck reports per step). */
function workshopsView(list: WorkshopListing[]): HTMLElement {
  if (!list.length) return section('workshops', 'Workshops', empty('No workshops yet. Instructors create them on the workshops page.'));
  return section(
    'workshops',
    'Workshops',
    h('p', { text: 'Each report shows where a room got stuck: completion, median and p90 time, failed checks and stuck reports per step, with what people wrote. Filter this page by a workshop to see its feedback.' }),
    h('ul', {}, ...list.map((w) => h('li', {}, h('a', { href: w.boardUrl, text: `${w.title} (${w.code})` }), ` — ${new Date(w.startsAt).toLocaleDateString()}${w.ended ? ', report' : ', running'}`))),
  );
}

function trendsView(t: Insights['trends']): HTMLElement {
  if (!t.length) return section('trends', 'Trends by week', empty('Nothing recorded for these filters.'));
  return section(
    'trends',
    'Trends by week',
    legend([{ tone: 'good', name: 'Yes' }, { tone: 'bad', name: 'No' }, { tone: 'warn', name: 'Stuck' }]),
    barChart({
      title: 'Answers by week',
      summary: `${t.length} weeks, from the week of ${t[0]!.week} to the week of ${t[t.length - 1]!.week}.`,
      rows: t.map((w) => ({ label: `Week of ${w.week}`, note: `${pct(w.yes + w.no ? w.yes / (w.yes + w.no) : null)} helpful`, segments: [{ value: w.yes, tone: 'good', name: 'yes' }, { value: w.no, tone: 'bad', name: 'no' }, { value: w.stuck, tone: 'warn', name: 'stuck' }] })),
      tableHead: ['Week of', 'Yes', 'No', 'Stuck', 'Sessions', 'Labs started', 'Labs completed', 'Endpoints live'],
      tableRows: t.map((w) => [w.week, w.yes, w.no, w.stuck, w.sessions, w.labsStarted, w.labsCompleted, w.endpointsLive]),
    }),
    barChart({
      title: 'Labs by week',
      summary: `Labs started, completed and first endpoints live per week.`,
      rows: t.map((w) => ({ label: `Week of ${w.week}`, note: `${w.labsStarted} started, ${w.labsCompleted} completed`, segments: [{ value: w.labsCompleted, tone: 'good', name: 'completed' }, { value: Math.max(0, w.labsStarted - w.labsCompleted), tone: 'neutral', name: 'started, not completed' }] })),
      tableHead: ['Week of', 'Labs started', 'Labs completed', 'Endpoints live'],
      tableRows: t.map((w) => [w.week, w.labsStarted, w.labsCompleted, w.endpointsLive]),
    }),
  );
}

// ---- page wiring ----

const root = document.getElementById('onramp-insights')!;
const signInForm = root.querySelector<HTMLFormElement>('[data-signin]')!;
const signInError = root.querySelector<HTMLElement>('[data-signin-error]')!;
const app = root.querySelector<HTMLElement>('[data-app]')!;
const filters = root.querySelector<HTMLFormElement>('[data-filters]')!;
const output = root.querySelector<HTMLElement>('[data-output]')!;
const live = root.querySelector<HTMLElement>('[data-live]')!;

function signOut(message = ''): void {
  token.set(null);
  app.hidden = true;
  signInForm.hidden = false;
  signInError.textContent = message;
  signInForm.querySelector<HTMLInputElement>('input')?.focus();
}

function query(): string {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(filters)) if (typeof v === 'string' && v) params.set(k, v);
  return params.toString();
}

function fillSelect(name: string, values: string[]): void {
  const select = filters.querySelector<HTMLSelectElement>(`select[name="${name}"]`)!;
  const current = select.value || new URLSearchParams(location.search).get(name) || '';
  select.replaceChildren(h('option', { value: '', text: 'All' }), ...values.map((v) => h('option', { value: v, text: v, selected: v === current })));
}

async function load(): Promise<void> {
  const q = query();
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
  live.textContent = 'Loading insights…';
  output.setAttribute('aria-busy', 'true');
  try {
    const [data, workshops] = await Promise.all([
      api(`/api/insights${q ? `?${q}` : ''}`).then((r) => r.json() as Promise<Insights>),
      api('/api/workshops').then((r) => r.json() as Promise<{ workshops: WorkshopListing[] }>).catch((e) => (e instanceof Unauthorized ? Promise.reject(e) : { workshops: [] })),
    ]);
    fillSelect('persona', data.options.personas);
    fillSelect('lab', data.options.labs);
    fillSelect('workshop', data.options.workshops);
    output.replaceChildren(
      summaryView(data.summary),
      pagesView(data.pages),
      frictionView(data.friction),
      reasonsView(data.reasons),
      commentsView(data.comments),
      funnelsView(data.funnels),
      ttfeView(data.ttfe),
      trendsView(data.trends),
      workshopsView(workshops.workshops),
    );
    live.textContent = `Insights loaded: ${data.summary.votes ?? 0} answers, ${data.comments.total} comments.`;
  } catch (error) {
    if (error instanceof Unauthorized) return signOut('That token was not accepted.');
    live.textContent = `Could not load insights: ${(error as Error).message}`;
  } finally {
    output.removeAttribute('aria-busy');
  }
}

async function download(kind: string, format: string): Promise<void> {
  const q = query();
  try {
    const res = await api(`/api/insights/export?kind=${kind}&format=${format}${q ? `&${q}` : ''}`);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `onramp-${kind}-${new Date().toISOString().slice(0, 10)}.${format}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    live.textContent = `Downloaded ${kind} as ${format.toUpperCase()}.`;
  } catch (error) {
    if (error instanceof Unauthorized) return signOut('That token was not accepted.');
    live.textContent = `Export failed: ${(error as Error).message}`;
  }
}

signInForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const input = signInForm.querySelector<HTMLInputElement>('input')!;
  if (!input.value.trim()) {
    signInError.textContent = 'Enter the admin token.';
    return;
  }
  token.set(input.value.trim());
  input.value = '';
  signInError.textContent = '';
  signInForm.hidden = true;
  app.hidden = false;
  void load().then(() => root.querySelector<HTMLElement>('#insights-title')?.focus());
});
filters.addEventListener('submit', (e) => {
  e.preventDefault();
  void load();
});
root.querySelector('[data-signout]')!.addEventListener('click', () => signOut('Signed out.'));
for (const button of root.querySelectorAll<HTMLButtonElement>('[data-export]')) {
  button.addEventListener('click', () => void download(button.dataset.kind!, button.dataset.format!));
}

// Filters from the URL (shareable without the token).
const initial = new URLSearchParams(location.search);
for (const name of ['from', 'to']) {
  const v = initial.get(name);
  if (v) filters.querySelector<HTMLInputElement>(`input[name="${name}"]`)!.value = v;
}
if (token.get()) {
  signInForm.hidden = true;
  app.hidden = false;
  void load();
} else signOut();
