/** Helpers for the lab's browser tests (runner backend). */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { axeViolations as axeAll } from './fixtures.ts';

export const LAB = '/labs/pkl-to-endpoint/';
export const STEPS = ['inspect', 'scan', 'predict', 'serve', 'call', 'init'];

/** axe on the page, without the preview iframe: that document is served by the learner's own server (ramp serve), not by the site. */
export async function labAxe(page: Page): Promise<string[]> {
  if ((await page.locator('[data-preview]').count()) === 0) return axeAll(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).exclude('[data-preview]').analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Opens the lab fresh (no progress, no kept files) and starts it on the runner. */
export async function startFresh(page: Page, path = LAB, theme?: 'light' | 'dark'): Promise<Locator> {
  await page.goto(`${path}?runtime=runner`);
  await page.evaluate((t) => {
    localStorage.clear();
    if (t) localStorage.setItem('starlight-theme', t);
  }, theme);
  await page.reload();
  return start(page);
}

export async function start(page: Page): Promise<Locator> {
  const lab = page.locator('onramp-lab');
  await page.getByRole('button', { name: 'Start the lab' }).click();
  await expect(lab).toHaveAttribute('data-ready', 'runner', { timeout: 20_000 });
  // On a phone the terminal is a tab of its own.
  if (await page.locator('[data-terminal]').isVisible()) await expect(page.locator('[data-terminal]')).toContainText('lab:', { timeout: 10_000 });
  return lab;
}

/** "Solve this step", confirming the overwrite when the lab shows what it replaces. */
export async function solve(page: Page, id: string): Promise<void> {
  const step = page.locator(`[data-step="${id}"]`);
  await step.getByRole('button', { name: 'Solve this step' }).click();
  const confirm = step.locator('[data-action="solve-confirm"]');
  // Wait for the confirmation or a pass, never for any result: a failed Check from before Solve
  // is still shown while the solution loads, and would let this go on without confirming.
  const passed = step.locator('[data-result].is-pass');
  await expect(confirm.or(passed).first()).toBeVisible({ timeout: 30_000 });
  if (await confirm.isVisible()) await confirm.click();
  await expect(step.locator('[data-result]')).toHaveClass(/is-pass/, { timeout: 30_000 });
}

/** Replaces the editor's whole text by typing, as a learner does. */
export async function typeInEditor(page: Page, text: string): Promise<void> {
  const content = page.locator('[data-editor] .cm-content');
  // Focus, not a click: right after Start the lab scrolls itself into view, and a click computed
  // before that scroll can land beside the editor, so the keys below would go nowhere.
  await content.focus();
  await expect(content).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** The page never scrolls sideways: no element of the lab widens it. */
export async function pageWidthFits(page: Page): Promise<void> {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, 'the page is wider than the window').toBeLessThanOrEqual(inner);
}

/** Reset (confirmed): the lab restarts on `runtime` with the starter files and no progress, and the first check fails again. */
export async function resetToStarter(page: Page, lab: Locator, runtime: string, steps: number): Promise<void> {
  await page.getByRole('button', { name: 'Reset lab' }).click();
  await page.getByRole('dialog', { name: 'Reset the lab?' }).getByRole('button', { name: 'Reset the lab' }).click();
  await expect(lab).toHaveAttribute('data-ready', runtime, { timeout: 30_000 });
  await expect(lab.locator('[data-progress]')).toHaveText(`0 of ${steps} steps done`);
  await page.locator('[data-file="answers.json"]').click();
  await expect(page.locator('[data-editor]')).toContainText('"n_features": null');
  const inspect = page.locator('[data-step="inspect"]');
  await inspect.getByRole('button', { name: 'Check' }).click();
  await expect(inspect.locator('[data-result]')).toHaveClass(/is-fail/);
}
