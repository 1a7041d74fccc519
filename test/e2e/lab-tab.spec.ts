/**
 * The headline lab in the learner's own tab, with the site on a plain static host (no Onramp
 * service, no special headers): Start picks the in-tab runtime on its own, commands run in the
 * terminal, every check passes, the preview predicts, Ctrl-C stops a runaway server, reload
 * resumes, Reset restores the starter files — and no request leaves the site.
 */
import { join } from 'node:path';
import { test, expect } from './fixtures.ts';
import { LAB, STEPS, labAxe, resetToStarter, solve } from './lab-helpers.ts';
import { startStaticHost } from '../helpers/static-host.ts';

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

let host: Awaited<ReturnType<typeof startStaticHost>>;
test.beforeAll(async () => {
  // The lab's health probe (is there an Onramp service?) answers late, after Start: the in-tab
  // runtime Start made must still be the one that answers the preview.
  host = await startStaticHost(join(process.cwd(), 'dist'), { delays: { '/api/health': 1500 } });
});
test.afterAll(async () => {
  await host?.close();
});

async function startInTab(page: import('@playwright/test').Page) {
  const lab = page.locator('onramp-lab');
  await page.getByRole('button', { name: 'Start the lab' }).click();
  await expect(lab).toHaveAttribute('data-ready', 'tab', { timeout: 30_000 });
  await expect(page.locator('[data-terminal]')).toContainText('lab:', { timeout: 10_000 });
  return lab;
}

test('the headline lab runs in the tab on a static host', async ({ page, consoleErrors }) => {
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(host.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  await page.goto(`${host.url}${LAB}`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  const lab = await startInTab(page);
  await expect(lab.locator('[data-runtime-label]')).toHaveText('Running in this tab');
  const terminal = page.locator('[data-terminal]');

  await terminal.click();
  await page.keyboard.type('ramp inspect churn.joblib\n');
  await expect(terminal).toContainText('plan (text), region (text), contract (text)', { timeout: 15_000 });
  // State carries from line to line; Tab completes file names.
  await page.keyboard.type('cd .lab && X=42\n');
  await page.keyboard.type('echo "in $(basename $PWD) x=$X"\n');
  await expect(terminal).toContainText('in .lab x=42');
  await page.keyboard.type('cd ..\n');
  await page.keyboard.type('cat rows.cs');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(terminal).toContainText('days_since_login');

  // A server in the foreground runs until Ctrl-C; the prompt comes back and the shell still works.
  await page.keyboard.type('ramp serve churn.joblib --port 9090\n');
  await expect(terminal).toContainText('Serving churn on http://127.0.0.1:9090', { timeout: 15_000 });
  await page.keyboard.press('Control+C');
  await page.keyboard.type('echo after-$((40+2))\n');
  await expect(terminal).toContainText('after-42', { timeout: 10_000 });

  const first = page.locator('[data-step="inspect"]');
  await first.getByRole('button', { name: 'Check' }).click();
  await expect(first.locator('[data-result]')).toContainText('does not match the model yet');

  for (const id of STEPS) {
    await solve(page, id);
    if (id === 'serve') {
      const preview = page.frameLocator('[data-preview]');
      await expect(preview.locator('body')).toContainText('churn', { timeout: 20_000 });
      await preview.locator('form button, form [type="submit"]').first().click();
      await expect(preview.locator('#result')).toContainText('predict', { timeout: 15_000 });
      // The server runs as a job of the terminal.
      await terminal.click();
      await page.keyboard.type('jobs\n');
      await expect(terminal).toContainText(/\[\d\][+-]\s+Running\s+ramp serve churn.joblib --port 8080/);
    }
  }
  await expect(lab.locator('[data-progress]')).toHaveText('6 of 6 steps done');
  expect(await labAxe(page)).toEqual([]);

  // Reload and resume: progress and the learner's files are kept.
  await page.reload();
  await expect(lab.locator('[data-progress]')).toHaveText('6 of 6 steps done');
  await startInTab(page);
  // The server the serve step started is started again (processes cannot outlive a reload), and
  // the preview shows it; then the learner goes back to the files.
  await expect(page.frameLocator('[data-preview]').locator('body')).toContainText('churn', { timeout: 20_000 });
  await lab.getByRole('tab', { name: 'Files' }).click();
  await page.locator('[data-file="answers.json"]').click();
  await expect(page.locator('[data-editor]')).toContainText('"n_features": 7');

  // Reset restores the starter files and clears progress.
  await resetToStarter(page, lab, 'tab', STEPS.length);

  expect(foreign).toEqual([]);
  expect(consoleErrors.filter((e) => !/404|Failed to load resource/.test(e))).toEqual([]);
});

test('a command that ignores Ctrl-C is stopped, and the files stay', async ({ page }) => {
  await page.goto(`${host.url}${LAB}?runtime=tab`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await startInTab(page);
  const terminal = page.locator('[data-terminal]');
  await terminal.click();
  await page.keyboard.type('echo k""ept-ok > note.txt\n');
  await page.keyboard.type(`node -e "console.log('node-' + 6 * 7)"\n`);
  await expect(terminal).toContainText('node-42', { timeout: 15_000 });
  // A runaway script as a job: it keeps running until killed.
  await page.keyboard.type(`node -e "while (true) {}" &\n`);
  await page.keyboard.type('jobs\n');
  await expect(terminal).toContainText(/\[1\]\+\s+Running\s+node -e/, { timeout: 15_000 });
  await page.keyboard.type('kill %1\n');
  await expect(terminal).toContainText(/\[1\]\+\s+Terminated\s+node -e/, { timeout: 15_000 });
  // A server written with node:http, in the background: curl reaches it, kill stops it.
  await page.keyboard.type(`node -e "require('http').createServer((q, r) => r.end('hi from ' + q.url)).listen(3000, () => console.log('up on 3000'))" &\n`);
  await expect(terminal).toContainText('up on 3000', { timeout: 15_000 });
  await page.keyboard.type('curl -s http://127.0.0.1:3000/x; echo\n');
  await expect(terminal).toContainText('hi from /x', { timeout: 15_000 });
  await page.keyboard.type('kill %1\n');
  await expect(terminal).toContainText(/\[1\]\+\s+Terminated\s+node -e "require/, { timeout: 15_000 });
  // And in the foreground, Ctrl-C.
  await page.keyboard.type(`node -e "while (true) {}"\n`);
  await page.keyboard.press('Control+C');
  await page.keyboard.type('cat note.txt\n');
  await expect(terminal).toContainText('kept-ok', { timeout: 15_000 });
});

test('where a tab cannot run the lab, recorded output says why', async ({ page }) => {
  await page.addInitScript(() => {
    delete (Navigator.prototype as unknown as Record<string, unknown>).serviceWorker;
  });
  await page.goto(`${host.url}${LAB}`);
  await page.getByRole('button', { name: 'Start the lab' }).click();
  await expect(page.locator('onramp-lab [data-runtime-label]')).toHaveText('Recorded output', { timeout: 30_000 });
  await expect(page.locator('onramp-lab [data-boot-message]')).toContainText('Service Workers');
});
