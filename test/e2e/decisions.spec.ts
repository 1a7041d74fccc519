import { axeViolations, expect, test } from './fixtures.ts';

const MAP = '/decisions/serving-mode/';

test.describe('decision maps', () => {
  test('/decisions/ lists every map with its question, and is axe clean', async ({ page, consoleErrors }) => {
    await page.goto('/decisions/');
    const items = page.locator('.onramp-map-list > li');
    await expect(items).toHaveCount(6);
    await expect(page.locator('.onramp-map-list')).toContainText('Should this model score in a scheduled batch job');
    await expect(page.locator('#starlight__sidebar a[href="/decisions/"]')).toHaveCount(1);
    expect(await axeViolations(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  test('answer to an outcome, share the URL, go back and change an answer', async ({ page, context, consoleErrors }) => {
    await page.goto(MAP);
    const wizard = page.locator('decision-wizard');
    await expect(wizard).toBeVisible();
    await expect(wizard.locator('.step-heading')).toHaveText(/^Question 1: Does a person or a system wait/);
    await wizard.getByRole('button', { name: /^Yes, a request waits for the answer/ }).click();
    // Focus moves to the new question's heading, and the live region announces it.
    await expect(wizard.locator('.step-heading')).toHaveText(/^Question 2: How long can the caller wait/);
    await expect(wizard.locator('.step-heading')).toBeFocused();
    await expect(wizard.locator('[data-wizard-status]')).toHaveText(/Question 2: How long can the caller wait/);
    await expect(page).toHaveURL(/\?a=waits:0$/);
    // The diagram highlights the path so far.
    await expect(page.locator('svg [data-node="waits"]')).toHaveClass(/on-path/);
    await expect(page.locator('svg [data-edge="waits:0"]')).toHaveClass(/on-path/);
    await expect(page.locator('svg [data-node="budget"]')).toHaveClass(/current/);
    expect(await axeViolations(page)).toEqual([]);

    await wizard.getByRole('button', { name: /^Under a second/ }).click();
    await wizard.getByRole('button', { name: /^No, inputs arrive with the request/ }).click();
    await wizard.getByRole('button', { name: /^Yes, the request has all the inputs/ }).click();
    const heading = wizard.locator('.step-heading');
    await expect(heading).toHaveText('Recommendation: Serve an online inference endpoint');
    await expect(heading).toBeFocused();
    await expect(wizard.locator('.because')).toHaveText(/^Because you said .+ and .+\.$/);
    await expect(wizard.locator('.next-actions a[href="/playbooks/serve-a-model-from-a-pickle/"]')).toBeVisible();
    await expect(wizard.locator('.answers > li')).toHaveCount(4);
    await expect(page.locator('svg [data-node="online_endpoint"]')).toHaveClass(/current/);
    const url = page.url();
    expect(url).toContain('?a=waits:0,budget:0,enumerable:1,inputs:0');
    expect(await axeViolations(page)).toEqual([]);

    // The same URL in a new page gives the same state.
    const other = await context.newPage();
    await other.goto(url);
    await expect(other.locator('decision-wizard .step-heading')).toHaveText('Recommendation: Serve an online inference endpoint');
    await expect(other.locator('decision-wizard .answers > li')).toHaveCount(4);
    await other.close();

    // Back goes to the last question; the wizard's Back and the browser's back agree.
    await wizard.getByRole('button', { name: 'Back', exact: true }).click();
    await expect(heading).toHaveText(/^Question 4: Does each request carry every feature/);
    await expect(page).toHaveURL(/\?a=waits:0,budget:0,enumerable:1$/);
    await page.goBack();
    await expect(heading).toHaveText('Recommendation: Serve an online inference endpoint');

    // Change the first answer: later answers are dropped and the question is asked again.
    await wizard.getByRole('button', { name: /^Change answer to: Does a person or a system wait/ }).click();
    await expect(heading).toHaveText(/^Question 1:/);
    await expect(heading).toBeFocused();
    await expect(wizard.locator('.answers')).toHaveCount(0);
    await wizard.getByRole('button', { name: /^No, results can be ready later/ }).click();
    await wizard.getByRole('button', { name: /^Hours or a day old is fine/ }).click();
    await expect(heading).toHaveText('Recommendation: Score in a scheduled batch job');
    await expect(page).toHaveURL(/\?a=waits:1,freshness:0$/);

    await wizard.getByRole('button', { name: 'Restart' }).click();
    await expect(heading).toHaveText(/^Question 1:/);
    await expect(page).not.toHaveURL(/\?a=/);
    expect(consoleErrors).toEqual([]);
  });

  test('keyboard only: Tab, Enter and Space through the wizard', async ({ page }) => {
    await page.goto(MAP);
    const wizard = page.locator('decision-wizard');
    await expect(wizard).toBeVisible();
    const focusOn = async (pattern: RegExp) => {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        const text = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? '');
        if (pattern.test(text)) return;
      }
      throw new Error(`never reached ${pattern}`);
    };
    await focusOn(/^Yes, a request waits/);
    await page.keyboard.press('Enter');
    await expect(wizard.locator('.step-heading')).toBeFocused();
    // From the focused heading, Tab reaches the options of the new question.
    await focusOn(/^Seconds to minutes/);
    await page.keyboard.press('Space');
    await expect(wizard.locator('.step-heading')).toHaveText(/^Recommendation: Accept requests asynchronously/);
    await expect(wizard.locator('.step-heading')).toBeFocused();
    await focusOn(/^Back$/);
    await page.keyboard.press('Enter');
    await expect(wizard.locator('.step-heading')).toHaveText(/^Question 2:/);
    await expect(page).toHaveURL(/\?a=waits:0$/);
  });

  test('without JavaScript the map is a nested list, and the SVG is an image with a name', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/decisions/feature-store/');
    await expect(page.locator('decision-wizard')).toBeHidden();
    const outline = page.locator('.onramp-map-outline');
    await expect(outline).toContainText('Do several models or teams reuse the same features?');
    await expect(outline).toContainText('Outcome: Adopt a feature store with both offline and online stores');
    await expect(page.locator('svg[data-map-diagram="feature-store"]')).toHaveAttribute('role', 'img');
    await expect(page.getByRole('img', { name: /Diagram: Do we need a feature store/ })).toBeVisible();
    await expect(page.locator('dl.onramp-glossary dt').first()).toHaveText('feature store');
    await context.close();
  });

  test('the site search finds the map for "feature store"', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: /^Search/ }).first().click();
    const input = page.locator('.pagefind-ui__search-input');
    await expect(input).toBeVisible();
    await input.fill('feature store');
    const links = page.locator('.pagefind-ui__result-link');
    await expect(links.first()).toBeVisible({ timeout: 15_000 });
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.some((h) => h.startsWith('/decisions/feature-store/'))).toBe(true);
  });
});
