/**
 * `labs:check` in the tab: every lab, on a plain static host, in headless Chromium. Each step's
 * check fails before its solution and passes after it, in order — the same rule test/labs applies
 * on the lab runner. A lab that needs what a tab cannot give (`needs` in lab.yaml) is skipped with
 * the reason.
 */
import { join } from 'node:path';
import { test, expect } from './fixtures.ts';
import { solve } from './lab-helpers.ts';
import { startStaticHost } from '../helpers/static-host.ts';
import { labIds, loadLab } from '../../src/shared/lab-files.ts';
import { tabCannotRun } from '../../src/shared/lab-needs.ts';

const ROOT = process.cwd();
let host: Awaited<ReturnType<typeof startStaticHost>>;
test.beforeAll(async () => {
  host = await startStaticHost(join(ROOT, 'dist'));
});
test.afterAll(async () => {
  await host?.close();
});
test.setTimeout(240_000);

for (const id of labIds(ROOT)) {
  const lab = loadLab(ROOT, id);
  test(`lab ${id}: each check fails before its solution and passes after it, in the tab`, async ({ page }) => {
    const why = tabCannotRun(lab.needs);
    test.skip(!!why, `${id} needs ${why}`);
    await page.goto(`${host.url}/labs/${id}/?runtime=tab`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByRole('button', { name: 'Start the lab' }).click();
    await expect(page.locator('onramp-lab')).toHaveAttribute('data-ready', 'tab', { timeout: 30_000 });
    for (const step of lab.steps) {
      const el = page.locator(`[data-step="${step.id}"]`);
      await el.getByRole('button', { name: 'Check' }).click();
      await expect(el.locator('[data-result]'), `check of "${step.id}" passed before its solution`).toHaveClass(/is-fail/, { timeout: 60_000 });
      await solve(page, step.id);
    }
    await expect(page.locator('onramp-lab [data-progress]')).toHaveText(`${lab.steps.length} of ${lab.steps.length} steps done`);
  });
}
