import { axeViolations, expect, test } from './fixtures.ts';

test.describe('home and personas', () => {
  test('home loads with the five starting points and no console errors', async ({ page, consoleErrors }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Where are you starting from?' })).toBeVisible();
    const choices = page.locator('.onramp-choices a');
    await expect(choices).toHaveCount(5);
    await expect(choices.first()).toContainText('.pkl');
    await expect(page.locator('.onramp-your-path')).toBeHidden();
    await page.waitForLoadState('networkidle');
    expect(consoleErrors).toEqual([]);
  });

  test('choosing a persona puts its path on top of the sidebar, and it survives a reload', async ({ page }) => {
    await page.goto('/');
    await page.locator('.onramp-choices a[data-persona="data-scientist"]').click();
    await expect(page).toHaveURL(/\/personas\/data-scientist\/$/);
    const path = page.locator('#onramp-path');
    await expect(path).toBeVisible();
    await expect(path).toContainText('Your path: Data scientist');
    await expect(path.locator('ol a').first()).toBeVisible();
    // The path is the first thing in the sidebar, above Starlight's own navigation.
    const first = await page.locator('#starlight__sidebar .sidebar-content > *:not(script)').first().getAttribute('id');
    expect(first).toBe('onramp-path');
    await page.goto('/about/');
    await expect(page.locator('#onramp-path')).toContainText('Your path: Data scientist');
    await page.reload();
    await expect(page.locator('#onramp-path')).toContainText('Your path: Data scientist');
    await expect(page.locator('#onramp-path a[href="/about/"]')).toHaveAttribute('aria-current', 'page');
    // The rest of the site stays reachable: Starlight's own navigation still lists every section.
    const nav = page.locator('#starlight__sidebar ul.top-level');
    await expect(nav.locator('a[href="/guides/pkl-to-endpoint/"]')).toBeVisible();
    await expect(nav.locator('a[href="/guides/ship-a-pipeline/"]')).toBeVisible();
    // Back home, the "Your path" panel shows progress.
    await page.goto('/');
    const panel = page.locator('.onramp-your-path');
    await expect(panel).toBeVisible();
    await expect(panel).toContainText(/Data scientist: \d of \d steps visited/);
    await expect(panel.locator('li.done')).not.toHaveCount(0);
  });

  test('a persona page shows the path as numbered steps with time estimates and progress', async ({ page }) => {
    await page.goto('/personas/ml-engineer/');
    const steps = page.locator('ol.onramp-steps > li');
    expect(await steps.count()).toBeGreaterThanOrEqual(3);
    await expect(steps.first().locator('a')).toHaveAttribute('href', /\/$/);
    await expect(page.locator('ol.onramp-steps')).toContainText(/about \d+ min/);
    await expect(steps.first()).toContainText('not started');
    await steps.first().locator('a').click();
    // The visit is recorded while the page loads: go back only once it has.
    await page.waitForURL(/\/about\/$/, { waitUntil: 'load' });
    await page.goBack();
    await expect(page.locator('ol.onramp-steps > li').first()).toContainText('visited');
    await page.getByRole('button', { name: 'Make this my path' }).click();
    await expect(page.getByRole('status')).toContainText('This is your path');
    await expect(page.locator('#onramp-path')).toContainText('Your path: ML engineer');
  });

  test('a path stored by an older build is refreshed from the site', async ({ page }) => {
    await page.goto('/about/');
    await page.evaluate(() =>
      localStorage.setItem('onramp:persona', JSON.stringify({ id: 'ml-engineer', name: 'ML engineer', build: 'old', steps: [{ href: '/gone/', title: 'A page that was removed' }] })),
    );
    await page.reload();
    const path = page.locator('#onramp-path');
    await expect(path.locator('a[href="/guides/ship-a-model-version/"]')).toBeVisible();
    await expect(path).not.toContainText('A page that was removed');
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('onramp:persona')!));
    expect(stored.build).not.toBe('old');
    expect(stored.steps.length).toBeGreaterThan(2);
  });

  test('keyboard alone can choose a persona', async ({ page }) => {
    await page.goto('/');
    let focused = '';
    for (let i = 0; i < 40 && !focused.includes('data-engineer'); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-persona') ?? '');
    }
    expect(focused).toBe('data-engineer');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/personas\/data-engineer\/$/);
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('onramp:persona')!).id)).toBe('data-engineer');
  });

  test('without JavaScript the choices are plain links to persona pages', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/');
    const hrefs = await page.locator('.onramp-choices a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(['/personas/data-scientist/', '/personas/ml-engineer/', '/personas/app-developer/', '/personas/data-engineer/', '/personas/platform-team/']);
    await page.locator('.onramp-choices a').nth(3).click();
    await expect(page.locator('h1')).toBeVisible();
    await expect(page.locator('ol.onramp-steps > li').first()).toBeVisible();
    await context.close();
  });
});

test.describe('search', () => {
  test('finds the headline guide, and the persona filter narrows results', async ({ page }) => {
    await page.goto('/about/');
    await page.getByRole('button', { name: /search/i }).first().click();
    const input = page.locator('.pagefind-ui__search-input');
    await input.fill('endpoint');
    const results = page.locator('.pagefind-ui__result');
    await expect(results.first()).toBeVisible({ timeout: 15_000 });
    await expect(page.locator('.pagefind-ui__result-link', { hasText: 'From a .pkl file to a live endpoint' }).first()).toBeVisible();
    const message = page.locator('.pagefind-ui__message');
    const before = Number((await message.textContent())!.match(/\d+/)![0]);
    // Filter to the app developer persona: fewer results, and the headline guide (data scientists) drops out.
    const personaGroup = page.locator('.pagefind-ui__filter-block', { hasText: /persona/i });
    if (!(await personaGroup.locator('input').first().isVisible())) await personaGroup.locator('summary').click();
    await personaGroup.getByLabel(/App developer/).check();
    await expect(async () => {
      const after = Number((await message.textContent())!.match(/\d+/)![0]);
      expect(after).toBeLessThan(before);
      expect(after).toBeGreaterThan(0);
    }).toPass();
    await expect(page.locator('.pagefind-ui__result-link', { hasText: 'From a .pkl file to a live endpoint' })).toHaveCount(0);
  });
});

test.describe('accessibility', () => {
  for (const path of ['/', '/personas/data-scientist/', '/guides/pkl-to-endpoint/', '/about/']) {
    test(`axe finds no violations on ${path}`, async ({ page }) => {
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      expect(await axeViolations(page)).toEqual([]);
    });
  }

  test('axe finds no violations in the dark theme, with a chosen persona', async ({ page }) => {
    await page.goto('/');
    await page.evaluate(() => localStorage.setItem('starlight-theme', 'dark'));
    await page.locator('.onramp-choices a[data-persona="data-scientist"]').click();
    await expect(page.locator('#onramp-path')).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await axeViolations(page)).toEqual([]);
    await page.goto('/');
    await expect(page.locator('.onramp-your-path')).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
  });

  test('axe finds no violations with a chosen persona (sidebar path and home panel)', async ({ page }) => {
    await page.goto('/');
    await page.locator('.onramp-choices a[data-persona="platform-team"]').click();
    await expect(page.locator('#onramp-path')).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await page.goto('/');
    await expect(page.locator('.onramp-your-path')).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
  });
});
