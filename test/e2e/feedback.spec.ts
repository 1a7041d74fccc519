import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** axe with the fixtures' rules; `exclude` leaves out e.g. a lab's preview iframe (served by the learner's own server). */
async function axeViolations(page: Page, exclude: string[] = []): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']);
  for (const selector of exclude) builder = builder.exclude(selector);
  const results = await builder.analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

// The token playwright.config.ts starts the e2e service with.
const TOKEN = 'e2e-admin-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${TOKEN}` };

interface Row {
  id: string;
  page: string;
  helpful: boolean;
  reason?: string;
  comment?: string;
  quote?: string;
  replaces?: string;
  withdrawn?: boolean;
}

async function exported(request: APIRequestContext): Promise<Row[]> {
  const res = await request.get('/api/insights/export?kind=feedback&format=json', { headers: auth });
  expect(res.status()).toBe(200);
  return (await res.json()) as Row[];
}

const queued = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('onramp:q:')).length);

/** Network failures while offline are expected console noise; anything else is a bug. */
const realErrors = (errors: string[]) => errors.filter((e) => !/Failed to load resource|net::ERR_|Failed to fetch/.test(e));

test.describe('page feedback', () => {
  test('a vote and comment given offline survive a reload and arrive exactly once', async ({ page, context, request, consoleErrors }) => {
    const marker = `offline-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await page.goto('/about/');
    const widget = page.locator('onramp-feedback');
    await expect(widget.getByRole('group', { name: 'Was this page helpful?' })).toBeVisible();
    // Select some page text to quote.
    await page.evaluate(() => {
      const p = document.querySelector('main .sl-markdown-content p')!;
      const range = document.createRange();
      range.selectNodeContents(p);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
    });
    const selected = await page.evaluate(() => getSelection()!.toString().replace(/\s+/g, ' ').trim());
    // The form loads as the widget nears the screen, so it still works offline.
    await widget.scrollIntoViewIfNeeded();
    await expect(widget).toHaveAttribute('data-ready', '');

    await context.setOffline(true);
    await widget.getByRole('button', { name: 'No' }).click();
    await expect(widget.getByRole('button', { name: 'No' })).toHaveAttribute('aria-pressed', 'true');
    const reasons = widget.getByRole('group', { name: 'What went wrong?' });
    await expect(reasons).toBeVisible();
    // Focus moved into the form, on the first reason.
    await expect(reasons.getByRole('radio').first()).toBeFocused();
    await reasons.getByLabel('Out of date').check();
    const comment = widget.getByLabel('What were you trying to do? (optional)');
    await comment.fill(`Deploy step changed ${marker} 🚀`);
    await expect(widget.locator('.onramp-fb-count')).toHaveText(`${[...`Deploy step changed ${marker} 🚀`].length} of 2000 characters`);
    await expect(widget.getByText('Include the text you selected:')).toBeVisible();
    await widget.getByRole('button', { name: 'Send feedback' }).click();
    await expect(widget.getByRole('status')).toContainText('Saved in this browser');
    await expect(widget.getByText('You said this page was not helpful (Out of date).')).toBeFocused();
    expect(await queued(page)).toBe(2); // the vote, then the details that replace it

    // Back online but the API unreachable: reload, and nothing is lost.
    await context.route('**/api/feedback', (route) => route.abort());
    await context.setOffline(false);
    await page.reload();
    await expect(page.locator('onramp-feedback').getByText('You said this page was not helpful (Out of date).')).toBeVisible();
    expect(await queued(page)).toBe(2);

    // The API is back: delivered, and the outbox empties.
    await context.unroute('**/api/feedback');
    await context.setOffline(true);
    await context.setOffline(false); // fires `online`, which flushes now
    await expect.poll(() => queued(page), { timeout: 15_000 }).toBe(0);

    const rows = await exported(request);
    const mine = rows.filter((r) => r.comment?.includes(marker));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ page: '/about/', helpful: false, reason: 'out_of_date', quote: selected });
    const vote = rows.filter((r) => r.id === mine[0]!.replaces);
    expect(vote).toHaveLength(1);
    expect(vote[0]).toMatchObject({ page: '/about/', helpful: false });
    expect(realErrors(consoleErrors)).toEqual([]);
  });

  test('a reader can change and withdraw an answer, and only the current one counts', async ({ page, request }) => {
    const path = '/guides/ship-a-pipeline/';
    const count = async () => {
      const res = await request.get('/api/insights/pages', { headers: auth });
      const pages = (await res.json()) as { page: string; yes: number; no: number }[];
      return pages.find((p) => p.page === path) ?? { yes: 0, no: 0 };
    };
    const before = await count();
    await page.goto(path);
    const widget = page.locator('onramp-feedback');
    await widget.getByRole('button', { name: 'Yes' }).click();
    await expect(widget.getByRole('group', { name: 'What made it helpful?' })).toBeVisible();
    await expect.poll(count).toMatchObject({ yes: before.yes + 1, no: before.no });
    // Change to No.
    await widget.getByRole('button', { name: 'No' }).click();
    await expect(widget.getByRole('group', { name: 'What went wrong?' })).toBeVisible();
    await expect.poll(count).toMatchObject({ yes: before.yes, no: before.no + 1 });
    // Withdraw.
    await widget.getByRole('button', { name: 'Skip' }).click();
    await widget.getByRole('button', { name: 'Withdraw your answer' }).click();
    await expect(widget.getByRole('status')).toContainText('Your answer was withdrawn.');
    await expect(widget.getByRole('button', { name: 'Yes' })).toBeFocused();
    await expect(widget.getByRole('button', { name: 'No' })).toHaveAttribute('aria-pressed', 'false');
    await expect.poll(count).toMatchObject({ yes: before.yes, no: before.no });
  });

  test('keyboard alone can answer, and axe finds nothing with the form open', async ({ page, consoleErrors }) => {
    await page.goto('/guides/call-a-model-from-your-app/');
    const yes = page.locator('onramp-feedback').getByRole('button', { name: 'Yes' });
    await yes.focus();
    await page.keyboard.press('Tab');
    await expect(page.locator('onramp-feedback').getByRole('button', { name: 'No' })).toBeFocused();
    await page.keyboard.press('Enter');
    const first = page.locator('onramp-feedback').getByRole('radio').first();
    await expect(first).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('onramp-feedback').getByRole('radio').nth(1)).toBeChecked();
    expect(await axeViolations(page)).toEqual([]);
    await expect.poll(() => queued(page)).toBe(0); // the vote was delivered
    expect(consoleErrors).toEqual([]);
  });

  test('with Global Privacy Control on, the widget says so and still sends what the reader gives', async ({ page, request }) => {
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    await page.goto('/guides/measure-adoption/');
    const widget = page.locator('onramp-feedback');
    await widget.getByRole('button', { name: 'Yes' }).click();
    await expect(widget.getByText(/Do Not Track is on in this browser/)).toBeVisible();
    const marker = `gpc-${Date.now()}`;
    await widget.getByLabel('Anything else? (optional)').fill(marker);
    await widget.getByRole('button', { name: 'Send feedback' }).click();
    await expect.poll(() => queued(page)).toBe(0);
    expect((await exported(request)).filter((r) => r.comment === marker)).toHaveLength(1);
  });

  test('the widget is not on the insights page', async ({ page }) => {
    await page.goto('/insights/');
    await expect(page.locator('onramp-feedback')).toHaveCount(0);
  });
});

test.describe('insights', () => {
  test('asks for the token, shows the feedback with charts, renders reader text inert, triages, exports', async ({ page, request, consoleErrors }) => {
    const marker = `insights-${Date.now()}`;
    const nasty = `<img src=x onerror="window.__pwned=1"> ${marker} \u202Eevil\u202C =HYPERLINK("x")`;
    const id = crypto.randomUUID();
    const res = await request.post('/api/feedback', { data: { id, page: '/about/', helpful: false, reason: 'missing_info', comment: nasty, quote: '<script>window.__pwned=2</script>', persona: 'ml-engineer' } });
    expect(res.status()).toBe(202);

    await page.goto('/insights/');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await page.getByLabel('Admin token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('That token was not accepted.');
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Helpfulness by page' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeHidden();
    await expect(page.getByLabel('Admin token')).toBeHidden();
    await expect(page.locator('#pages svg[role="img"]')).toHaveCount(1);
    await expect(page.locator('#pages table')).toContainText('/about/');
    for (const heading of ['Summary', 'Friction hot spots', 'Reasons', 'Comments', 'Lab funnels', 'Time to first endpoint', 'Trends by week']) {
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    }
    // The reader's text is shown as text, never run.
    const item = page.locator('.onramp-ins-comment', { hasText: marker });
    await expect(item).toHaveCount(1);
    await expect(item.locator('.onramp-ins-text')).toHaveText(nasty);
    await expect(item.locator('blockquote')).toHaveText('<script>window.__pwned=2</script>');
    await expect(item.locator('img')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // Filters narrow, and live in the URL.
    await page.getByLabel('Persona').selectOption('ml-engineer');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(/persona=ml-engineer/);
    await expect(page.locator('.onramp-ins-comment', { hasText: marker })).toHaveCount(1);

    // Triage.
    const triaged = page.locator('.onramp-ins-comment', { hasText: marker });
    await triaged.getByLabel('Status').selectOption('in_progress');
    await triaged.getByLabel('Note (team only)').fill('DOCS-123');
    await triaged.getByRole('button', { name: 'Save triage' }).click();
    await expect(triaged.getByRole('status')).toHaveText('Saved: In progress.');
    const feed = await (await request.get('/api/insights/comments?status=in_progress', { headers: auth })).json();
    expect(feed.items.find((i: { id: string }) => i.id === id)).toMatchObject({ status: 'in_progress', note: 'DOCS-123' });

    // Export downloads with the token.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Feedback CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^onramp-feedback-\d{4}-\d{2}-\d{2}\.csv$/);

    expect(await axeViolations(page)).toEqual([]);
    // The token survives a reload of this tab; signing out forgets it.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Helpfulness by page' })).toBeVisible();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByLabel('Admin token')).toBeFocused();
    await expect(page.getByRole('heading', { name: 'Helpfulness by page' })).toBeHidden();
    expect(await page.evaluate(() => sessionStorage.getItem('onramp:admin-token'))).toBeNull();
    expect(consoleErrors.filter((e) => !e.includes('401'))).toEqual([]);
  });
});

test.describe("lab: I'm stuck and progress events", () => {
  test.setTimeout(120_000);
  test('a learner reports being stuck on a step, with its context, and the lab sends progress events', async ({ page, request }) => {
    await page.goto('/labs/pkl-to-endpoint/?runtime=runner');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByRole('button', { name: 'Start the lab' }).click();
    await expect(page.locator('onramp-lab')).toHaveAttribute('data-ready', 'runner', { timeout: 30_000 });
    const stuck = page.locator('onramp-stuck').first();
    await expect(stuck).toBeVisible();
    const step = await stuck.evaluate((el) => (el as HTMLElement & { step: string }).step);
    const toggle = stuck.getByRole('button', { name: "I'm stuck" });
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const reasons = stuck.getByRole('group', { name: 'What is happening?' });
    await expect(reasons.getByRole('radio').first()).toBeFocused();
    // A reason is required; the error says so.
    await stuck.getByRole('button', { name: 'Send to the platform team' }).click();
    await expect(stuck.getByRole('alert')).toContainText('Choose what is happening');
    await reasons.getByLabel('A command failed').check();
    const marker = `stuck-${Date.now()}`;
    await stuck.getByLabel(/What did you try/).fill(`ramp inspect fails ${marker}`);
    await stuck.getByRole('button', { name: 'Send to the platform team' }).click();
    await expect(stuck.getByRole('status')).toContainText('The platform team sees where you are stuck');
    await expect(toggle).toBeFocused();
    expect(await axeViolations(page, ['[data-preview]'])).toEqual([]);

    await expect
      .poll(async () => (await exported(request)).filter((r) => r.comment?.includes(marker)).length, { timeout: 15_000 })
      .toBe(1);
    const report = (await exported(request)).find((r) => r.comment?.includes(marker)) as Row & { kind: string; lab: string; step: string; context: { stepSeconds: number; lastCheck: string; runtime: string } };
    expect(report).toMatchObject({ kind: 'stuck', helpful: false, reason: 'command_failed', lab: 'pkl-to-endpoint', step, page: '/labs/pkl-to-endpoint/' });
    expect(report.context.runtime).toBe('runner');
    expect(report.context.lastCheck).toBe('none');
    expect(report.context.stepSeconds).toBeGreaterThanOrEqual(0);

    // Progress events from the lab UI went through the same client: lab_started, and the stuck event.
    const events = async () => {
      const res = await request.get('/api/insights/export?kind=events&format=json', { headers: auth });
      return (await res.json()) as { type: string; lab?: string; step?: string; data?: Record<string, unknown> }[];
    };
    await expect.poll(async () => (await events()).some((e) => e.type === 'stuck' && e.data?.feedback === report.id), { timeout: 15_000 }).toBe(true);
    expect((await events()).some((e) => e.type === 'lab_started' && e.lab === 'pkl-to-endpoint')).toBe(true);
  });
});
