/**
 * The lab "From a .pkl file to a live endpoint" in Chromium, on the lab runner: start, type in the
 * terminal, run every check to completion, the preview shows the model page and a prediction,
 * reload keeps progress, Reset restores the starter files; recorded mode; axe before and after Start.
 */
import { test, expect } from './fixtures.ts';
import { LAB, STEPS, labAxe, resetToStarter, solve, start, startFresh } from './lab-helpers.ts';

test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

test('a learner runs the lab to completion on the runner', async ({ page, consoleErrors }) => {
  await page.goto(`${LAB}?runtime=runner`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  expect(await labAxe(page)).toEqual([]);
  const lab = await start(page);
  const terminal = page.locator('[data-terminal]');

  // Type in the terminal.
  await terminal.click();
  await page.keyboard.type('ramp inspect churn.joblib\n');
  await expect(terminal).toContainText('plan (text), region (text), contract (text)', { timeout: 10_000 });

  // Esc then Tab leaves the terminal (no keyboard trap).
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('[data-terminal]'))).toBe(false);

  // The first check fails on the starter files, with the learner's message.
  const first = page.locator('[data-step="inspect"]');
  await first.getByRole('button', { name: 'Check' }).click();
  await expect(first.locator('[data-result]')).toContainText('does not match the model yet');

  // Hints one at a time.
  await first.getByRole('button', { name: /Show a hint/ }).click();
  await expect(first.locator('[data-hints] li:not([hidden])')).toHaveCount(1);

  for (const id of STEPS) {
    await solve(page, id);
    if (id === 'serve') {
      // The preview shows the model page; the try-it form gets a prediction through the proxy.
      const preview = page.frameLocator('[data-preview]');
      await expect(preview.locator('body')).toContainText('churn', { timeout: 15_000 });
      // Its example request goes through the same proxy path the page was loaded from.
      await expect(preview.locator('#curl-example')).toContainText(/curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/lab-preview\/[^ ]+\/8080\/v2\/models\/churn\/infer/);
      await preview.locator('form button, form [type="submit"]').first().click();
      await expect(preview.locator('#result')).toContainText('predict', { timeout: 10_000 });
    }
  }
  await expect(lab.locator('[data-progress]')).toHaveText('6 of 6 steps done');
  await expect(lab.locator('[data-status]')).toContainText('finished the lab');
  await expect(page.getByRole('heading', { name: '1. Look inside the model (done)' })).toBeVisible();
  expect(await labAxe(page)).toEqual([]);

  // Reload keeps progress.
  await page.reload();
  await expect(lab.locator('[data-progress]')).toHaveText('6 of 6 steps done');
  await expect(page.locator('[data-step="serve"] [data-done-mark]')).toBeVisible();

  // Reset asks first, says what it discards, and then restores the starter files and clears progress.
  await start(page);
  await page.getByRole('button', { name: 'Reset lab' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reset the lab?' });
  await expect(dialog).toContainText('6 of 6 steps done');
  await dialog.getByRole('button', { name: 'Keep my work' }).click();
  await expect(dialog).toBeHidden();
  await expect(lab.locator('[data-status]')).toContainText('your work is kept');
  await expect(lab.locator('[data-progress]')).toHaveText('6 of 6 steps done');
  await resetToStarter(page, lab, 'runner', STEPS.length);
  expect(consoleErrors).toEqual([]);
});

test('recorded mode teaches without a runtime', async ({ page }) => {
  await page.goto(`${LAB}?runtime=recorded`);
  const recorded = page.locator('[data-step="predict"] [data-recorded]');
  await expect(recorded).toContainText('Recorded output');
  await expect(recorded).toContainText('ramp predict');
  await expect(page.locator('onramp-lab [data-runtime-label]')).toHaveText('Recorded output');
  await expect(page.locator('[data-step="predict"]').getByRole('button', { name: 'Check' })).toBeDisabled();
  expect(await labAxe(page)).toEqual([]);
});

test('without a runner the lab runs in the tab on its own, and says why', async ({ page }) => {
  // As a service started with ONRAMP_LAB_RUNNER=off answers; no WebContainer is tried (the site did not enable it).
  await page.route('**/api/labs/*/sessions', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: 'the lab runner is turned off on this server (ONRAMP_LAB_RUNNER=off)' }) }));
  await page.goto(LAB);
  await page.getByRole('button', { name: 'Start the lab' }).click();
  await expect(page.locator('onramp-lab [data-runtime-label]')).toHaveText('Running in this tab', { timeout: 30_000 });
  await expect(page.locator('onramp-lab [data-notice]')).toContainText('ONRAMP_LAB_RUNNER=off');
  // On the service's cross-origin isolated page too, the preview shows the in-tab server.
  await page.locator('[data-terminal]').click();
  await page.keyboard.type('ramp serve churn.joblib --port 8080 &\n');
  await expect(page.frameLocator('[data-preview]').locator('body')).toContainText('churn', { timeout: 20_000 });
  expect(await labAxe(page)).toEqual([]);
});

test('the guide embeds the lab, and it starts there in its own box', async ({ page }) => {
  const lab = await startFresh(page, '/guides/pkl-to-endpoint/');
  await expect(page.locator('onramp-lab[data-lab="pkl-to-endpoint"]')).toBeVisible();
  const box = await lab.boundingBox();
  const bench = await lab.locator('[data-bench]').boundingBox();
  expect(bench!.x).toBeGreaterThanOrEqual(box!.x);
  expect(bench!.x + bench!.width).toBeLessThanOrEqual(box!.x + box!.width + 0.5);
  await expect(page.locator('[data-terminal]')).toBeInViewport();
});
