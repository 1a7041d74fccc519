/**
 * A workshop from both sides: the instructor creates one, three learners join in their own
 * browser contexts (one on the lab runner, one in the tab, one with Global Privacy Control on), they
 * progress and one raises a hand with "I'm stuck"; the board shows each of them live; the
 * acknowledgement and a broadcast reach the learners; ending it shows the report.
 */
import type { BrowserContext } from '@playwright/test';
import { axeViolations, expect, test } from './fixtures.ts';
import { labAxe, LAB, solve, start } from './lab-helpers.ts';
import { learner } from './workshop-helpers.ts';

const ADMIN = 'e2e-admin-token-0123456789abcdef';

test('an instructor runs a workshop: create, join, progress, a raised hand, ack, broadcast, end and report', async ({ page, browser, consoleErrors }, info) => {
  test.setTimeout(180_000);
  const baseURL = info.project.use.baseURL!;

  // The instructor creates a workshop on the lab.
  await page.goto('/workshops/');
  await page.getByLabel('Instructor token').fill(ADMIN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Title').fill('Pickle to endpoint, room 2');
  await page.getByLabel('A lab').selectOption('pkl-to-endpoint');
  await page.getByRole('button', { name: 'Create workshop' }).click();
  const created = page.getByRole('region', { name: 'Workshop created' });
  await expect(created).toBeVisible();
  const code = (await created.locator('[data-code]').textContent())!.trim();
  expect(code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
  await expect(created.getByRole('img', { name: /QR code for http/ })).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);

  await created.getByRole('link', { name: 'Open the live board' }).click();
  await page.waitForURL(`**/workshops/${code}/board/`);
  await expect(page.locator('[data-connection]')).toHaveText('Live');
  await expect(page.locator('[data-people]')).toContainText('Nobody has joined yet');

  // Three learners join.
  const contexts = await Promise.all([0, 1, 2].map(() => browser.newContext({ baseURL })));
  const [ctxAna, ctxBo, ctxCy] = contexts as [BrowserContext, BrowserContext, BrowserContext];
  await ctxBo.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));

  const ana = await learner(ctxAna, code, 'Ana');

  // Bo has Global Privacy Control on: told what joining shares, with a way to decline.
  const boJoin = await ctxBo.newPage();
  await boJoin.goto(`/workshops/join/?code=${code}`);
  await expect(boJoin.getByRole('note')).toContainText('Your browser asks sites not to track you');
  await expect(boJoin.getByRole('link', { name: /on my own instead, sharing nothing/ })).toHaveAttribute('href', LAB);
  await expect(boJoin.getByRole('button', { name: 'Join and share my progress' })).toBeVisible();
  expect(await axeViolations(boJoin)).toEqual([]);
  await boJoin.close();
  const bo = await learner(ctxBo, code, '<b>Bo</b>');
  const cy = await learner(ctxCy, code, 'Cy');

  const board = page.locator('[data-people]');
  await expect(board.locator('tbody tr')).toHaveCount(3);
  await expect(board).toContainText('bBo/b'); // the HTML in the name is neutralised, and shown as text

  // Ana works on the runner and passes the first step; the board follows.
  await ana.goto(`${LAB}?runtime=runner`);
  await start(ana);
  await solve(ana, 'inspect');
  const anaRow = board.locator('tr', { has: page.getByRole('rowheader', { name: 'Ana' }) });
  await expect(anaRow).toContainText('2 of 6: scan', { timeout: 20_000 });
  await expect(page.locator('[data-steps] tbody tr').first()).toContainText(/1 of 6: inspect\s*1\s*1/);

  // Bo works in the tab (no server load per learner) and fails the first check on the starter
  // files; Cy is stuck before starting and raises a hand.
  await bo.goto(`${LAB}?runtime=tab`);
  await bo.getByRole('button', { name: 'Start the lab' }).click();
  await expect(bo.locator('onramp-lab')).toHaveAttribute('data-ready', 'tab', { timeout: 30_000 });
  const boInspect = bo.locator('[data-step="inspect"]');
  await boInspect.getByRole('button', { name: 'Check' }).click();
  await expect(boInspect.locator('[data-result]')).toHaveClass(/is-fail/, { timeout: 20_000 });
  const boRow = board.locator('tr', { has: page.getByRole('rowheader', { name: 'bBo/b' }) });
  await expect(boRow.locator('td').nth(0)).toHaveText('1 of 6: inspect', { timeout: 20_000 });
  await expect(boRow.locator('td').nth(2)).toHaveText('1');
  await expect(boRow.locator('td').nth(6)).toHaveText('tab');
  const inspect = cy.locator('[data-step="inspect"]');
  await inspect.getByRole('button', { name: "I'm stuck" }).click();
  await inspect.getByLabel('A command failed').check();
  await inspect.getByLabel(/What did you try/).fill('ramp inspect says <no such file>');
  await inspect.getByRole('button', { name: 'Send to the platform team' }).click();
  await expect(cy.getByRole('region', { name: 'Workshop' })).toContainText('Your hand is raised', { timeout: 10_000 });

  // The board puts Cy first, with the note, and announces it.
  await expect(board.locator('tbody tr').first()).toContainText('Cy', { timeout: 10_000 });
  await expect(board.locator('tbody tr').first()).toContainText('ramp inspect says <no such file>');
  await expect(page.locator('[data-live]')).toContainText('Cy raised a hand');
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
    expect(await axeViolations(page), theme).toEqual([]);
  }

  // Keyboard: the acknowledge button is reachable and works with Enter.
  const ack = page.getByRole('button', { name: "Acknowledge Cy's raised hand" });
  await ack.focus();
  await page.keyboard.press('Enter');
  await expect(cy.getByRole('region', { name: 'Workshop' })).toContainText('Help is coming', { timeout: 10_000 });
  await expect(ack).toHaveCount(0);
  await expect(board.locator('tbody tr').first()).toContainText('acknowledged');

  // A broadcast reaches every learner's lab, in a polite live region.
  await page.getByLabel('Message to every participant').fill('Break in 5 minutes');
  await page.getByRole('button', { name: 'Broadcast' }).click();
  for (const learnerPage of [ana, bo, cy]) {
    const messages = learnerPage.getByRole('region', { name: 'Workshop' }).locator('[aria-live="polite"]');
    await expect(messages).toContainText('From the instructor: Break in 5 minutes', { timeout: 10_000 });
  }
  expect(await labAxe(cy)).toEqual([]);

  // End → learners are told, the board shows the report.
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'End workshop' }).click();
  await expect(ana.getByRole('region', { name: 'Workshop' })).toContainText('ended the workshop', { timeout: 10_000 });
  const report = page.locator('[data-report-output]');
  await expect(report).toContainText('3 participants, 0 completed.');
  await expect(report.locator('tbody tr').first()).toContainText(/1 of 6: inspect\s*\d\s*1\s*33%/);
  await expect(report).toContainText('ramp inspect says <no such file>');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  expect((await download).suggestedFilename()).toBe(`onramp-workshop-${code}.csv`);
  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
  for (const c of contexts) await c.close();
});
