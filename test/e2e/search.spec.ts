import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** Opens Starlight's search dialog and searches; Pagefind starts (and its worker) on first use. */
async function searchFor(page: Page, term: string) {
  const dialog = page.getByRole('dialog', { name: 'Search' });
  if (!(await dialog.isVisible())) await page.getByRole('button', { name: 'Search' }).first().click();
  await dialog.locator('.pagefind-ui__search-input').fill(term);
  return dialog;
}

test.describe('site search dialog', () => {
  test("Pagefind's worker loads under cross-origin isolation: COEP on its script, no console error", async ({ page, consoleErrors }) => {
    const warnings: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'warning') warnings.push(msg.text());
    });
    await page.goto('/about/');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const worker = page.waitForRequest((r) => new URL(r.url()).pathname === '/pagefind/pagefind-worker.js');
    const dialog = await searchFor(page, 'canary');
    const request = await worker;
    // Without COEP on the script the browser blocks it: no response, a failed request.
    const response = await request.response();
    expect(request.failure()).toBeNull();
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cross-origin-embedder-policy']).toMatch(/^(require-corp|credentialless)$/);
    await expect(dialog.locator('.pagefind-ui__result').first()).toBeVisible({ timeout: 15_000 });
    expect(consoleErrors).toEqual([]);
    expect(warnings.filter((w) => /pagefind|worker/i.test(w))).toEqual([]);
  });
});
