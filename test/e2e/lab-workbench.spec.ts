/**
 * The lab as a place to work (issue: "Lab workbench"): a readable editor in both themes, a page
 * that never widens, panels that stay in view (tabs on a phone, full screen), edits that are never
 * lost, checks that say why, solutions shown as diffs, the learner's own files after a reload, and
 * no request to anyone but the site.
 */
import { test, expect } from './fixtures.ts';
import { LAB, labAxe, pageWidthFits, solve, start, startFresh, typeInEditor } from './lab-helpers.ts';

test.describe.configure({ mode: process.env.LAB_E2E_PARALLEL ? 'default' : 'serial' });
test.setTimeout(120_000);

for (const theme of ['light', 'dark'] as const) {
  test(`${theme} theme: the editor follows the site, AA for every token, no overflow at 1,280 and 1,920 px`, async ({ page, consoleErrors }) => {
    await startFresh(page, LAB, theme);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
    await page.locator('[data-file="call.mjs"]').click();
    await expect(page.locator('[data-editor] .cm-content')).toContainText('readFileSync');
    await pageWidthFits(page);
    // A long line scrolls inside the editor, not the page.
    await page.locator('[data-file="answers.json"]').click();
    await typeInEditor(page, `{"n_features": 7, "classes": [0, 1], "text_columns": ["${'plan-'.repeat(80)}"]}`);
    await pageWidthFits(page);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await pageWidthFits(page);
    expect(await labAxe(page)).toEqual([]);
    // The editor's background matches the theme: light on light, dark on dark.
    const bg = () => page.locator('[data-editor] .cm-editor').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await bg()).toBe(theme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(22, 24, 29)');
    // Switching the theme restyles the open editor at once.
    await page.getByLabel('Select theme').filter({ visible: true }).first().selectOption(theme === 'light' ? 'dark' : 'light');
    expect(await bg()).toBe(theme === 'light' ? 'rgb(22, 24, 29)' : 'rgb(255, 255, 255)');
    expect(await labAxe(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
}

test('wide screens: steps scroll on their own while the terminal stays in view; full screen', async ({ page }) => {
  await startFresh(page);
  const check5 = page.locator('[data-step="call"]').getByRole('button', { name: 'Check' });
  // The learner scrolls the steps (a wheel over the steps panel scrolls it alone).
  await page.locator('[data-panel="steps"]').hover();
  const pageY = await page.evaluate(() => scrollY);
  for (let i = 0; i < 40 && !(await check5.evaluate((b) => { const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })); i++) await page.mouse.wheel(0, 200);
  await expect(check5).toBeInViewport();
  expect(await page.evaluate(() => scrollY), 'the page moved while the steps scrolled').toBe(pageY);
  await expect(page.locator('[data-terminal]')).toBeInViewport({ ratio: 0.9 });
  await expect(page.locator('[data-panel="files"]')).toBeInViewport();
  // Full screen: the workbench takes the window, and comes back.
  await page.getByRole('button', { name: 'Full screen' }).click();
  const lab = page.locator('onramp-lab');
  await expect(lab).toHaveClass(/is-fullscreen/);
  const box = await lab.boundingBox();
  expect(box).toMatchObject({ x: 0, y: 0, width: 1280 });
  await expect(page.locator('[data-terminal]')).toBeInViewport({ ratio: 0.9 });
  await page.getByRole('button', { name: 'Exit full screen' }).click();
  await expect(lab).not.toHaveClass(/is-fullscreen/);
});

test('390 px: tabs put every panel one tap away, in both themes, without overflow', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const theme of ['light', 'dark'] as const) {
    await startFresh(page, LAB, theme);
    const tabs = page.getByRole('tablist', { name: 'Lab panels' });
    await expect(tabs.getByRole('tab')).toHaveText(['Steps', 'Terminal', 'Files', 'Preview'], { useInnerText: true });
    for (const [tab, panel] of [['Terminal', 'terminal'], ['Files', 'files'], ['Preview', 'preview'], ['Steps', 'steps']] as const) {
      await tabs.getByRole('tab', { name: tab }).click();
      await expect(page.locator(`[data-panel="${panel}"]`)).toBeVisible();
      await expect(tabs.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
      await pageWidthFits(page);
    }
    // Arrow keys move between tabs.
    await tabs.getByRole('tab', { name: 'Steps' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(tabs.getByRole('tab', { name: 'Terminal' })).toBeFocused();
    await expect(page.locator('[data-panel="terminal"]')).toBeVisible();
    // "Run it in the terminal" shows the terminal.
    await tabs.getByRole('tab', { name: 'Steps' }).click();
    await page.locator('[data-step="inspect"]').getByRole('button', { name: 'Run it in the terminal' }).click();
    await expect(page.locator('[data-panel="terminal"]')).toBeVisible();
    await expect(page.locator('[data-terminal]')).toContainText('plan (text), region (text), contract (text)', { timeout: 10_000 });
    await tabs.getByRole('tab', { name: 'Files' }).click();
    await page.locator('[data-file="call.mjs"]').click();
    await pageWidthFits(page);
    expect(await labAxe(page)).toEqual([]);
  }
});

test('edits: an unsaved marker, autosave, Ctrl/Cmd-S, and Check saves first', async ({ page }) => {
  await startFresh(page);
  await page.locator('[data-file="answers.json"]').click();
  await typeInEditor(page, '{"n_features": 7, "classes": [0, 1], "text_columns": ["plan", "region", "contract"]}');
  const state = page.locator('[data-save-state]');
  await expect(state).toHaveText('Unsaved changes');
  await expect(page.locator('[data-file="answers.json"]')).toContainText('(unsaved)');
  await expect(state).toHaveText('Saved', { timeout: 5_000 }); // autosave
  await expect(page.locator('[data-file="answers.json"]')).not.toContainText('(unsaved)');
  // Ctrl/Cmd-S writes at once (the file in the lab changes before any autosave could).
  await typeInEditor(page, '{"n_features": 3}');
  await page.keyboard.press('ControlOrMeta+S');
  await expect(state).toHaveText('Saved');
  const terminal = page.locator('[data-terminal]');
  await terminal.click();
  await page.keyboard.type('cat answers.json\n');
  await expect(terminal).toContainText('{"n_features": 3}');
  // Type the right answer and press Check straight away: Check saves first.
  await typeInEditor(page, '{"n_features": 7, "classes": [0, 1], "text_columns": ["plan", "region", "contract"]}');
  const step = page.locator('[data-step="inspect"]');
  const check = step.getByRole('button', { name: 'Check' });
  await check.click();
  await expect(step.locator('[data-result]')).toHaveClass(/is-pass/);
  // Focus stays on Check; the step heading says it is done.
  await expect(check).toBeFocused();
  await expect(page.getByRole('heading', { name: '1. Look inside the model (done)' })).toBeVisible();
});

test('a failed check shows why, and "I\'m stuck" sends it', async ({ page }) => {
  await startFresh(page);
  const step = page.locator('[data-step="inspect"]');
  await step.getByRole('button', { name: 'Check' }).click();
  await expect(step.locator('[data-result-message]')).toContainText('does not match the model yet');
  await expect(step.locator('[data-result-output]')).toContainText('n_features is null');
  const sent = page.waitForRequest((r) => r.url().endsWith('/api/feedback') && r.method() === 'POST');
  await step.getByRole('button', { name: "I'm stuck" }).click();
  await step.getByRole('radio').first().check();
  await step.getByRole('button', { name: 'Send to the platform team' }).click();
  const body = JSON.parse((await sent).postData() ?? '{}');
  const item = Array.isArray(body.items) ? body.items[0] : body;
  expect(item.context.checkOutput).toContain('n_features is null');
  expect(item.context.lastCheck).toBe('failed');
});

test('"I\'m stuck" is there before Start', async ({ page }) => {
  await page.goto(LAB);
  await expect(page.locator('[data-step="inspect"]').getByRole('button', { name: "I'm stuck" })).toBeVisible();
});

test('Show solution is a read-only diff; Solve shows what it overwrites before applying', async ({ page }) => {
  // Before Start: the diff against the starter file.
  await page.goto(`${LAB}?runtime=runner`);
  await page.evaluate(() => localStorage.clear());
  const call = page.locator('[data-step="call"]');
  await call.getByRole('button', { name: 'Show solution' }).click();
  await expect(call.locator('.onramp-lab__diff-add').first()).toBeVisible();
  await expect(call.locator('.onramp-lab__diff')).toContainText('rows.map((row) => row[t.name])');
  await call.getByRole('button', { name: 'Hide solution' }).click();
  await start(page);
  // After Start: against the learner's current file, and nothing is applied.
  await page.locator('[data-file="call.mjs"]').click();
  // Type once the file is open: typing into the editor before it shows the file would be overwritten.
  await expect(page.locator('[data-editor] .cm-content')).toContainText('Your turn');
  await typeInEditor(page, '// my attempt\n');
  await call.getByRole('button', { name: 'Show solution' }).click();
  await expect(call.locator('.onramp-lab__diff-del')).toContainText('// my attempt');
  await expect(page.locator('[data-editor] .cm-content')).toHaveText('// my attempt');
  await call.getByRole('button', { name: 'Hide solution' }).click();
  // Solve: the diff and a confirmation first; the file changes only after it.
  await call.getByRole('button', { name: 'Solve this step' }).click();
  const confirm = call.getByRole('button', { name: 'Overwrite call.mjs and check' });
  await expect(confirm).toBeFocused();
  await expect(page.locator('[data-editor] .cm-content')).toHaveText('// my attempt');
  await confirm.click();
  await expect(page.locator('[data-editor] .cm-content')).toContainText('rows.map((row) => row[t.name])');
});

test('a reload keeps the learner\'s own files, not the reference solution', async ({ page }) => {
  await startFresh(page);
  await page.locator('[data-file="answers.json"]').click();
  const mine = '{ "text_columns": ["region", "plan", "contract"], "classes": [0, 1], "n_features": 7 }';
  await typeInEditor(page, mine);
  const inspect = page.locator('[data-step="inspect"]');
  await inspect.getByRole('button', { name: 'Check' }).click();
  await expect(inspect.locator('[data-result]')).toHaveClass(/is-pass/);
  // A file made in the terminal, with no check run after it.
  const terminal = page.locator('[data-terminal]');
  await terminal.click();
  await page.keyboard.type('echo "my notes" > notes.txt\n');
  await expect(page.locator('[data-file="notes.txt"]')).toBeVisible({ timeout: 10_000 });
  await page.reload();
  await start(page);
  await expect(page.locator('onramp-lab [data-status]')).toContainText('restored');
  await page.locator('[data-file="answers.json"]').click();
  await expect(page.locator('[data-editor] .cm-content')).toHaveText(mine);
  await page.locator('[data-file="notes.txt"]').click();
  await expect(page.locator('[data-editor] .cm-content')).toHaveText('my notes');
  await solve(page, 'scan');
});

test('no request leaves the site when WebContainer is not enabled', async ({ page }) => {
  const foreign: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return;
    if (url.host !== new URL(page.url() || 'http://127.0.0.1').host && !/^127\.0\.0\.1(:\d+)?$/.test(url.host)) foreign.push(r.url());
  });
  await page.goto(LAB); // automatic choice, as a learner gets it
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('button', { name: 'Start the lab' }).click();
  await expect(page.locator('onramp-lab')).toHaveAttribute('data-ready', 'runner', { timeout: 20_000 });
  await solve(page, 'inspect');
  await page.goto(`${LAB}?runtime=webcontainer`); // asked for, but not enabled on this site
  await page.getByRole('button', { name: 'Start the lab' }).click();
  await expect(page.locator('onramp-lab')).toHaveAttribute('data-ready', 'runner', { timeout: 20_000 });
  await expect(page.locator('onramp-lab [data-notice]')).toContainText('WebContainer is not enabled on this site');
  expect(foreign).toEqual([]);
});
