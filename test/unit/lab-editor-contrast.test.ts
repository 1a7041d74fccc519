/**
 * Every colour the lab editor and diffs use has AA contrast (≥ 4.5:1) against its background, in
 * the light and the dark theme: read from the custom properties in lab.css, so a colour edit that
 * breaks contrast fails here (axe sees only the tokens of the file that happens to be open).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../../src/lab/ui/lab.css', import.meta.url), 'utf8');

function block(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  expect(start, `${selector} in lab.css`).toBeGreaterThanOrEqual(0);
  const body = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/--onramp-(code|diff)-([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [`${m[1]}-${m[2]}`, m[3]!]));
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const TOKENS = ['fg', 'keyword', 'string', 'number', 'comment', 'property', 'function', 'punctuation', 'invalid', 'gutter-fg'];
const themes = { dark: block('.onramp-lab'), light: block(":root[data-theme='light'] .onramp-lab") };

describe.each(Object.entries(themes))('%s theme', (_name, vars) => {
  it.each(TOKENS)('token %s is AA on the editor background', (token) => {
    expect(contrast(vars[`code-${token}`]!, vars['code-bg']!)).toBeGreaterThanOrEqual(4.5);
  });
  it.each(TOKENS)('token %s is AA on the active line and in the gutter', (token) => {
    expect(contrast(vars[`code-${token}`]!, vars['code-active-line']!)).toBeGreaterThanOrEqual(4.5);
    if (token === 'gutter-fg' || token === 'fg') expect(contrast(vars[`code-${token}`]!, vars['code-gutter-bg']!)).toBeGreaterThanOrEqual(4.5);
  });
  it('selected text stays AA', () => {
    for (const token of TOKENS.filter((t) => t !== 'gutter-fg')) expect(contrast(vars[`code-${token}`]!, vars['code-selection']!), token).toBeGreaterThanOrEqual(4.5);
  });
  it('diff lines are AA', () => {
    expect(contrast(vars['diff-add-fg']!, vars['diff-add-bg']!)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(vars['diff-del-fg']!, vars['diff-del-bg']!)).toBeGreaterThanOrEqual(4.5);
  });
});

it('the contrast formula matches WCAG on known pairs', () => {
  expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
});
