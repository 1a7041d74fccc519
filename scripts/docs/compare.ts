/**
 * Compares a session's real output with the output a page shows. Exact, line by line, except for
 * explicit placeholders an author writes where output legitimately varies:
 *
 *   …             on a line with other text: any text within that line (also none)
 *   …             alone on a line: any number of whole lines (also none)
 *   <port>        a TCP port number
 *   <path>        a file path containing a slash (absolute, ~/…, ./…, a/b)
 *   <duration>    a number with an optional time unit: 12 ms, 0.004s, 3
 *   <number>      any decimal number: -1, 0.25, 2.0e-8
 *   <version>     a version: 1.2.1, v24.3.0, 0.1.0-rc.1
 *   <timestamp>   an ISO 8601 date and time: 2026-11-01T10:00:00Z
 *
 * Trailing spaces on a line and trailing blank lines are not compared; everything else is.
 */
import { createTwoFilesPatch } from 'diff';

export const ELLIPSIS = '…';

export const PLACEHOLDERS: Readonly<Record<string, string>> = {
  '<port>': '\\d{1,5}',
  '<path>': "(?:[~.]{0,2}/|[\\w.@-]+/)[^\\s'\"`]*",
  '<duration>': '\\d+(?:\\.\\d+)?(?:[eE]-?\\d+)?\\s?(?:ns|µs|us|ms|s|m|h)?',
  '<number>': '-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?',
  '<version>': 'v?\\d+\\.\\d+(?:\\.\\d+)?(?:[-+][0-9A-Za-z.-]+)?',
  '<timestamp>': '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?',
};

const TOKEN = new RegExp(`(${[ELLIPSIS, ...Object.keys(PLACEHOLDERS)].map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);

/** Normalises output for comparison: LF line ends, no trailing spaces, no trailing blank lines. */
export function normalizeOutput(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const isWildLine = (line: string): boolean => line.trim() === ELLIPSIS;

const regexCache = new Map<string, RegExp | null>();

/** The regular expression for one expected line, or null when it has no placeholder (compare exactly). */
export function lineRegExp(expected: string): RegExp | null {
  if (regexCache.has(expected)) return regexCache.get(expected)!;
  const parts = expected.split(TOKEN);
  let re: RegExp | null = null;
  if (parts.length > 1) {
    const src = parts
      .map((p, i) => (i % 2 === 0 ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : p === ELLIPSIS ? '.*' : PLACEHOLDERS[p]!))
      .join('');
    re = new RegExp(`^${src}$`, 'u');
  }
  regexCache.set(expected, re);
  return re;
}

/** Does one actual line match one expected line (placeholders allowed)? */
export function lineMatches(expected: string, actual: string): boolean {
  const re = lineRegExp(expected);
  return re ? re.test(actual) : expected === actual;
}

export interface Comparison {
  ok: boolean;
  /**
   * The actual output written in the expected output's terms: lines that matched keep the
   * expected line (with its placeholders), everything else is the actual line. Equal to the
   * expected text exactly when `ok`. `--update` writes this back into the page.
   */
  rewritten: string;
  expected: string;
}

/**
 * Aligns expected and actual lines with the fewest missing, extra or changed lines (a `…` line takes
 * any number of actual lines for free), then reports whether everything matched and the rewritten
 * output.
 */
export function compareOutput(expectedText: string, actualText: string): Comparison {
  const e = normalizeOutput(expectedText);
  const a = normalizeOutput(actualText);
  const E = e.length;
  const A = a.length;
  // cost[i][j]: fewest missing, extra or changed lines aligning e[i..] with a[j..].
  const W = A + 1;
  const cost = new Uint32Array((E + 1) * W);
  for (let i = E; i >= 0; i--) {
    for (let j = A; j >= 0; j--) {
      if (i === E) { cost[i * W + j] = A - j; continue; }
      if (isWildLine(e[i]!)) {
        cost[i * W + j] = Math.min(cost[(i + 1) * W + j]!, j < A ? cost[i * W + j + 1]! : Infinity);
        continue;
      }
      let best = 1 + cost[(i + 1) * W + j]!; // expected line missing from the output
      if (j < A) {
        best = Math.min(best, 1 + cost[i * W + j + 1]!); // extra actual line
        best = Math.min(best, 1 + cost[(i + 1) * W + j + 1]!); // a changed line
        if (lineMatches(e[i]!, a[j]!)) best = Math.min(best, cost[(i + 1) * W + j + 1]!);
      }
      cost[i * W + j] = best;
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < E || j < A) {
    const here = cost[i * W + j]!;
    if (i < E && isWildLine(e[i]!)) {
      // End the wildcard as early as an optimal alignment allows, so a difference after it shows
      // as a line of its own instead of disappearing into the wildcard.
      if (cost[(i + 1) * W + j] === here || j === A) {
        out.push(e[i]!);
        i++;
      } else {
        j++; // the wildcard takes a[j]
      }
      continue;
    }
    if (i < E && j < A && lineMatches(e[i]!, a[j]!) && cost[(i + 1) * W + j + 1] === here) {
      out.push(e[i]!);
      i++;
      j++;
    } else if (i < E && j < A && 1 + cost[(i + 1) * W + j + 1]! === here) {
      out.push(a[j]!); // a changed line: the actual one goes in its place
      i++;
      j++;
    } else if (j < A && 1 + cost[i * W + j + 1]! === here) {
      out.push(a[j]!);
      j++;
    } else {
      i++; // an expected line the output does not have: left out of the rewrite
    }
  }
  const ok = cost[0] === 0;
  return { ok, rewritten: out.join('\n'), expected: e.join('\n') };
}

/** A unified diff from the shown output to the actual output (placeholder matches shown as written). */
export function outputDiff(c: Comparison, shownName: string, actualName = 'actual output'): string {
  const patch = createTwoFilesPatch(shownName, actualName, c.expected ? `${c.expected}\n` : '', c.rewritten ? `${c.rewritten}\n` : '', undefined, undefined, { context: 3 });
  // Drop the "Index:"/"===" preamble; keep ---/+++ and the hunks.
  return patch.split('\n').filter((l) => !l.startsWith('Index: ') && !/^=+$/.test(l)).join('\n').trimEnd();
}
