import { axeViolations, expect, test } from './fixtures.ts';

test.describe('playbooks', () => {
  test('a playbook shows its frontmatter at a glance and its related links at the end', async ({ page, consoleErrors }) => {
    await page.goto('/playbooks/roll-back-a-model-version/');
    const glance = page.locator('.onramp-playbook-glance');
    await expect(glance.locator('dt')).toContainText(['When to use it', 'Who', 'How long', 'Severity', 'Stage', 'Last reviewed', 'Before you start']);
    await expect(glance.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}$/);
    const end = page.locator('.onramp-playbook-end');
    await expect(end.locator('dt')).toContainText(['Done when', 'Roll back']);
    const related = end.locator('.onramp-related a');
    expect(await related.count()).toBeGreaterThan(0);
    for (const href of await related.evaluateAll((as) => as.map((a) => a.getAttribute('href')!))) {
      const response = await page.request.get(href);
      expect(response.status(), href).toBe(200);
    }
    expect(await axeViolations(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  test('the finder lists every playbook by stage without JavaScript', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/playbooks/');
    await expect(page.locator('[data-finder-list] li[data-href]')).toHaveCount(16);
    await expect(page.locator('[data-finder-list] section h2').first()).toBeVisible();
    await expect(page.locator('[data-finder-form]')).toBeHidden();
    await context.close();
  });

  test('facets narrow the results, counts follow, and the URL restores the view', async ({ page, consoleErrors }) => {
    await page.goto('/playbooks/');
    const form = page.locator('[data-finder-form]');
    await expect(form).toBeVisible();
    const status = page.locator('[data-finder-status]');
    await expect(status).toHaveText('16 playbooks');
    const visible = page.locator('[data-finder-list] li[data-href]:visible');
    await expect(visible).toHaveCount(16);
    expect(await axeViolations(page)).toEqual([]);

    const ml = form.getByRole('checkbox', { name: /^ML engineer/ });
    const mlCount = Number((await ml.locator('xpath=..').innerText()).match(/\((\d+)\)/)![1]);
    await ml.check();
    await expect(page).toHaveURL(/\?persona=ml-engineer$/);
    await expect(visible).toHaveCount(mlCount);
    await expect(status).toHaveText(`${mlCount} playbooks match`);

    // Severity counts now reflect the persona filter; pick one and the list narrows again.
    const incident = form.getByRole('checkbox', { name: /^Incident/ });
    const incidentCount = Number((await incident.locator('xpath=..').innerText()).match(/\((\d+)\)/)![1]);
    expect(incidentCount).toBeGreaterThan(0);
    expect(incidentCount).toBeLessThan(mlCount);
    await incident.check();
    await expect(page).toHaveURL(/\?persona=ml-engineer&severity=incident$/);
    await expect(visible).toHaveCount(incidentCount);
    for (const text of await visible.allInnerTexts()) expect(text).toContain('Incident');

    // Reload restores the filtered view.
    await page.reload();
    await expect(form.getByRole('checkbox', { name: /^ML engineer/ })).toBeChecked();
    await expect(form.getByRole('checkbox', { name: /^Incident/ })).toBeChecked();
    await expect(visible).toHaveCount(incidentCount);

    // Text search through Pagefind, kept in the URL.
    await form.getByRole('button', { name: 'Clear search and filters' }).click();
    await expect(visible).toHaveCount(16);
    await form.getByLabel('Search playbooks').fill('drift');
    await expect(page).toHaveURL(/\?q=drift$/);
    await expect(page.locator('[data-finder-list] li[data-href="/playbooks/respond-to-a-drift-alert/"]')).toBeVisible();
    expect(await visible.count()).toBeLessThan(16);
    expect(await axeViolations(page)).toEqual([]);

    // A shared URL opens the same view.
    await page.goto('/playbooks/?stage=deploy&severity=routine');
    await expect(form.getByRole('checkbox', { name: /^Deploy/ })).toBeChecked();
    const shown = await visible.count();
    expect(shown).toBeGreaterThan(0);
    await expect(page.locator('[data-finder-list] section:visible h2')).toHaveText(['Deploy']);
    expect(consoleErrors).toEqual([]);
  });

  test('a text search keeps playbooks that hold the words, best match first, with counts to match', async ({ page, consoleErrors }) => {
    await page.goto('/playbooks/');
    const form = page.locator('[data-finder-form]');
    await expect(form).toBeVisible();
    const status = page.locator('[data-finder-status]');
    const visible = page.locator('[data-finder-list] li[data-href]:visible');
    /** The counts next to one facet's values, in order. */
    const counts = async (legend: string) =>
      (await form.locator('fieldset', { has: page.locator('legend', { hasText: legend }) }).locator('[data-count]').allInnerTexts()).map((t) => Number(t.match(/\d+/)![0]));
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

    // Every playbook says "rollback" or "rollout" somewhere; only some say "roll back".
    await form.getByLabel('Search playbooks').fill('roll back');
    await expect(page).toHaveURL(/\?q=roll\+back$/);
    await expect(status).not.toHaveText('16 playbooks match');
    await expect(status).toHaveText(/^\d+ playbooks? match(es)?$/);
    const shown = Number((await status.textContent())!.match(/\d+/)![0]);
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(16);
    await expect(visible).toHaveCount(shown);
    // One ranked list: the playbook with both words in its title comes first.
    await expect(page.getByRole('heading', { name: 'Best matches first' })).toBeVisible();
    await expect(page.locator('[data-finder-list] section[data-stage]:visible')).toHaveCount(0);
    await expect(visible.first()).toHaveAttribute('data-href', '/playbooks/roll-back-a-model-version/');
    // Each playbook has one stage and one severity, so each facet's counts add up to the list.
    expect(sum(await counts('Stage'))).toBe(shown);
    expect(sum(await counts('Severity'))).toBe(shown);

    // A facet narrows the ranked list to the count it showed.
    const routine = form.getByRole('checkbox', { name: /^Routine/ });
    const routineCount = Number((await routine.locator('xpath=..').innerText()).match(/\((\d+)\)/)![1]);
    await routine.check();
    await expect(visible).toHaveCount(routineCount);
    await routine.uncheck();
    await expect(visible).toHaveCount(shown);

    // A word in no playbook matches none, and every count says so.
    await form.getByLabel('Search playbooks').fill('xyzzy');
    await expect(status).toHaveText('No playbook matches. Try fewer filters or other words.');
    await expect(visible).toHaveCount(0);
    expect(sum([...(await counts('Persona')), ...(await counts('Stage')), ...(await counts('Severity'))])).toBe(0);

    // Clearing brings back every playbook, grouped by stage again.
    await form.getByRole('button', { name: 'Clear search and filters' }).click();
    await expect(visible).toHaveCount(16);
    await expect(page.getByRole('heading', { name: 'Best matches first' })).toBeHidden();
    await expect(page.locator('[data-finder-list] section[data-stage]:visible').first()).toBeVisible();
    expect(sum(await counts('Stage'))).toBe(16);
    expect(await axeViolations(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  test('the sidebar links the finder, and folds the Playbooks group to it elsewhere', async ({ page }) => {
    await page.goto('/playbooks/');
    await expect(page.locator('#starlight__sidebar a[href="/playbooks/"][aria-current="page"]')).toHaveCount(1);
    await page.goto('/about/');
    await expect(page.locator('#starlight__sidebar a.onramp-folded-group[href="/playbooks/"]')).toHaveText(/Playbooks \(16\)/);
  });
});
