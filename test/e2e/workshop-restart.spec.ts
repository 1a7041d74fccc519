/**
 * The service restarts in the middle of a workshop. An instructor's board and two learners (one
 * in the tab runtime, one in recorded mode) are live on a service of this test's own; it is
 * stopped (SIGTERM) and started again on the same port and store. The board and the learners
 * reconnect by themselves (SSE with Last-Event-ID); everything acknowledged before the restart is
 * on the board; progress made while it was down and after it shows up live; the learners'
 * banners still work (an acknowledgement and a broadcast reach them, and nothing seen before is
 * shown again). Ending the workshop then takes it out of the service's memory: the board says so.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { axeViolations, expect, test } from './fixtures.ts';
import { labAxe, LAB, solve } from './lab-helpers.ts';
import { OwnService } from './own-service.ts';
import { learner } from './workshop-helpers.ts';

const ADMIN = 'e2e-restart-admin-token-0123456789';
/** Waits that span a restart: the clients back off between attempts (up to 24 s for the board). */
const ACROSS_RESTART = { timeout: 90_000 };

/** The number of progress events and feedback items still waiting in the page's outbox (not yet acknowledged). */
const unacknowledged = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('onramp:q:')).length);

test('a service restart mid-workshop: the board and learners reconnect, nothing acknowledged is lost, progress keeps flowing', async ({ browser }) => {
  test.setTimeout(300_000);
  // The grace period after the end is 0: an ended workshop leaves memory at the next sweep.
  const service = await OwnService.create({ ONRAMP_ADMIN_TOKEN: ADMIN, ONRAMP_LAB_RUNNER: 'off', ONRAMP_WORKSHOP_GRACE_MINUTES: '0' });
  const contexts: BrowserContext[] = [];
  const crashes: string[] = [];
  const context = async () => {
    const c = await browser.newContext({ baseURL: service.base });
    c.on('weberror', (e) => crashes.push(String(e.error())));
    contexts.push(c);
    return c;
  };
  try {
    await service.start();
    const made = await fetch(`${service.base}/api/workshops`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'Restart drill', lab: 'pkl-to-endpoint', startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() }),
    });
    expect(made.status).toBe(201);
    const { code } = (await made.json()) as { code: string };

    // The instructor's board.
    const board = await (await context()).newPage();
    await board.goto(`/workshops/${code}/board/`);
    await board.getByLabel('Instructor token').fill(ADMIN);
    await board.getByRole('button', { name: 'Sign in' }).click();
    const connection = board.locator('[data-connection]');
    await expect(connection).toHaveText('Live');
    const people = board.locator('[data-people]');
    const row = (name: string) => people.locator('tr', { has: board.getByRole('rowheader', { name }) });
    const cell = (name: string, i: number) => row(name).locator('td').nth(i);

    // Ana works in the tab and passes the first step.
    const ana = await learner(await context(), code, 'Ana');
    await ana.goto(`${LAB}?runtime=tab`);
    await ana.getByRole('button', { name: 'Start the lab' }).click();
    await expect(ana.locator('onramp-lab')).toHaveAttribute('data-ready', 'tab', { timeout: 60_000 });
    await solve(ana, 'inspect');
    await expect(cell('Ana', 0)).toHaveText('2 of 6: scan', { timeout: 20_000 });
    await expect(cell('Ana', 6)).toHaveText('tab');

    // Bo has no runtime (recorded mode): the board shows the step he reads, runtime "recorded".
    const bo = await learner(await context(), code, 'Bo');
    await bo.goto(`${LAB}?runtime=recorded`);
    await expect(bo.locator('[data-step="inspect"]')).toHaveAttribute('aria-current', 'step');
    await expect(cell('Bo', 0)).toHaveText('1 of 6: inspect', { timeout: 20_000 });
    await expect(cell('Bo', 6)).toHaveText('recorded');
    // By keyboard: "Next" moves him on, and focus to the next step's title.
    const next = bo.locator('[data-step="inspect"]').getByRole('button', { name: /^Next: step 2/ });
    await next.focus();
    await bo.keyboard.press('Enter');
    await expect(bo.locator('[data-step="scan"] .onramp-lab__step-title')).toBeFocused();
    await expect(bo.locator('[data-step="scan"]')).toHaveAttribute('aria-current', 'step');
    await expect(cell('Bo', 0)).toHaveText('2 of 6: scan', { timeout: 20_000 });
    expect(await labAxe(bo)).toEqual([]);
    // He is stuck on it and raises a hand.
    const scan = bo.locator('[data-step="scan"]');
    await scan.getByRole('button', { name: "I'm stuck" }).click();
    await scan.getByLabel('A command failed').check();
    await scan.getByLabel(/What did you try/).fill('which file does scan write?');
    await scan.getByRole('button', { name: 'Send to the platform team' }).click();
    const boBanner = bo.getByRole('region', { name: 'Workshop' });
    await expect(boBanner).toContainText('Your hand is raised', { timeout: 10_000 });
    await expect(row('Bo')).toContainText('which file does scan write?', { timeout: 10_000 });

    // A broadcast before the restart reaches both.
    await board.getByLabel('Message to every participant').fill('Before the restart');
    await board.getByRole('button', { name: 'Broadcast' }).click();
    for (const page of [ana, bo]) await expect(page.getByRole('region', { name: 'Workshop' })).toContainText('From the instructor: Before the restart', { timeout: 10_000 });
    // Everything the learners sent is acknowledged by the service (their outboxes are empty).
    for (const page of [ana, bo]) await expect.poll(() => unacknowledged(page), { timeout: 30_000 }).toBe(0);

    // The service stops. The board says it is reconnecting.
    await service.stop();
    await expect(connection).toHaveText('Reconnecting…');
    // While it is down, Ana fails the scan check (the tab needs no service): the event waits in her outbox.
    const anaScan = ana.locator('[data-step="scan"]');
    await anaScan.getByRole('button', { name: 'Check' }).click();
    await expect(anaScan.locator('[data-result]')).toHaveClass(/is-fail/, { timeout: 30_000 });
    await expect.poll(() => unacknowledged(ana), { timeout: 30_000 }).toBeGreaterThan(0);

    // The service starts again on the same port and store; nobody reloads anything.
    await service.start();
    await expect(connection).toHaveText('Live', ACROSS_RESTART);
    // The failed check made while it was down arrives and shows live. The board that shows it got
    // a whole board from the new process first (another epoch), so what follows is what it holds.
    await expect(cell('Ana', 2)).toHaveText('1', ACROSS_RESTART);
    await expect.poll(() => unacknowledged(ana), ACROSS_RESTART).toBe(0);
    // Everything acknowledged before the restart is on it.
    await expect(cell('Ana', 0)).toHaveText('2 of 6: scan');
    await expect(cell('Ana', 6)).toHaveText('tab');
    await expect(cell('Bo', 0)).toHaveText('2 of 6: scan');
    await expect(cell('Bo', 6)).toHaveText('recorded');
    await expect(row('Bo')).toContainText('which file does scan write?');
    await expect(board.locator('[data-steps] tbody tr').first()).toContainText(/1 of 6: inspect\s*2\s*1/);

    // Progress after the restart shows up live: Ana passes scan, Bo reads on.
    await solve(ana, 'scan');
    await expect(cell('Ana', 0)).toHaveText('3 of 6: predict', { timeout: 30_000 });
    await bo.locator('[data-step="scan"]').getByRole('button', { name: /^Next: step 3/ }).click();
    await expect(cell('Bo', 0)).toHaveText('3 of 6: predict', { timeout: 30_000 });

    // The learners' banners reconnected too: an acknowledgement and a broadcast reach them, once.
    await board.getByRole('button', { name: "Acknowledge Bo's raised hand" }).click();
    await expect(boBanner).toContainText('Help is coming', ACROSS_RESTART);
    await board.getByLabel('Message to every participant').fill('After the restart');
    await board.getByRole('button', { name: 'Broadcast' }).click();
    for (const page of [ana, bo]) {
      const messages = page.getByRole('region', { name: 'Workshop' }).locator('[aria-live="polite"]');
      await expect(messages).toContainText('From the instructor: After the restart', ACROSS_RESTART);
      await expect(messages.getByText('From the instructor: Before the restart')).toHaveCount(1);
    }
    expect(await axeViolations(board)).toEqual([]);

    // Ending it: with no grace period, the workshop leaves the service's memory and the board is told.
    board.once('dialog', (d) => void d.accept());
    await board.getByRole('button', { name: 'End workshop' }).click();
    await expect(connection).toHaveText('Ended', { timeout: 30_000 });
    await expect(board.locator('[data-report-output]')).toContainText('2 participants, 0 completed.');
    await expect(ana.getByRole('region', { name: 'Workshop' })).toContainText('ended the workshop', { timeout: 10_000 });
    expect(await axeViolations(board)).toEqual([]);
    expect(crashes).toEqual([]);
  } finally {
    for (const c of contexts) await c.close();
    await service.stop();
  }
});
