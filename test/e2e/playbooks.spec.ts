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

  test('the sidebar links the finder, and folds the Playbooks group to it elsewhere', async ({ page }) => {
    await page.goto('/playbooks/');
    await expect(page.locator('#starlight__sidebar a[href="/playbooks/"][aria-current="page"]')).toHaveCount(1);
    await page.goto('/about/');
    await expect(page.locator('#starlight__sidebar a.onramp-folded-group[href="/playbooks/"]')).toHaveText(/Playbooks \(16\)/);
  });
});
