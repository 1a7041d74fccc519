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

  test('a word in no page finds nothing; a real word finds only pages that hold it', async ({ page, consoleErrors }) => {
    await page.goto('/about/');
    const dialog = await searchFor(page, 'xyzzy');
    const message = dialog.locator('.pagefind-ui__message');
    await expect(message).toHaveText('No results for xyzzy', { timeout: 15_000 });
    await expect(dialog.locator('.pagefind-ui__result')).toHaveCount(0);

    for (const word of ['drift', 'canary']) {
      await searchFor(page, word);
      await expect(message).toHaveText(new RegExp(`^\\d+ results? for ${word}$`));
      const results = dialog.locator('.pagefind-ui__result');
      await expect(results.first()).toBeVisible();
      for (const text of await results.allInnerTexts()) expect(text).toMatch(new RegExp(word, 'i'));
    }
    expect(consoleErrors).toEqual([]);
  });

  test('filter counts in the dialog agree with the results it keeps', async ({ page }) => {
    await page.goto('/about/');
    const dialog = await searchFor(page, 'roll back');
    const message = dialog.locator('.pagefind-ui__message');
    await expect(message).toHaveText(/^\d+ results? for roll back$/, { timeout: 15_000 });
    const total = Number((await message.textContent())!.match(/\d+/)![0]);
    // Every page has one kind, so the kind counts add up to the results shown.
    const kind = dialog.locator('.pagefind-ui__filter-block', { hasText: /kind/i });
    if (!(await kind.locator('input').first().isVisible())) await kind.locator('summary').click();
    const counts = await kind.locator('.pagefind-ui__filter-value').allInnerTexts();
    expect(counts.map((c) => Number(c.match(/\((\d+)\)/)?.[1] ?? 0)).reduce((a, b) => a + b, 0)).toBe(total);
  });
});
