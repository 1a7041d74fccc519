/** Helpers for the workshop browser tests. */
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { LAB } from './lab-helpers.ts';

/** A learner joins the workshop with `code` as `name`, in their own context, and lands in its lab. */
export async function learner(context: BrowserContext, code: string, name: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`/workshops/join/?code=${code}`);
  await expect(page.getByLabel('Workshop code')).toHaveValue(code);
  await page.getByLabel('Your name, as the instructor will see it').fill(name);
  await page.getByRole('button', { name: /^Join/ }).click();
  await page.waitForURL(`**${LAB}`, { timeout: 15_000 });
  await expect(page.getByRole('region', { name: 'Workshop' })).toContainText('The instructor sees your progress');
  return page;
}
