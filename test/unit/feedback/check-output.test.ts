/**
 * lastLines(), the tail of a check's output a stuck report carries, and the limit the service
 * holds it to (StuckContextSchema, LIMITS.checkOutput).
 */
import { describe, expect, it } from 'vitest';
import { CHECK_OUTPUT_MAX_CHARS, CHECK_OUTPUT_MAX_LINES, lastLines } from '../../../src/shared/check-output.ts';
import { LIMITS, StuckContextSchema, charCount, describeIssue, feedbackSchemas } from '../../../src/shared/feedback.ts';
import { personaIds } from '../../../src/shared/personas.ts';

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');

describe('lastLines', () => {
  it('is empty for empty or blank input', () => {
    expect(lastLines('')).toBe('');
    expect(lastLines('\n\n  \n\t\n')).toBe('');
    expect(lastLines('\u001b[0m\u001b[2K\r\n')).toBe('');
  });

  it('keeps short output as it is', () => {
    expect(lastLines('Error: model.pkl not found\n  at load (serve.py:12)')).toBe('Error: model.pkl not found\n  at load (serve.py:12)');
  });

  it('keeps the last 12 lines by default, or the number asked for', () => {
    expect(CHECK_OUTPUT_MAX_LINES).toBe(12);
    expect(lastLines(numbered(30))).toBe(Array.from({ length: 12 }, (_, i) => `line ${i + 19}`).join('\n'));
    expect(lastLines(numbered(30), 2)).toBe('line 29\nline 30');
    expect(lastLines(numbered(3), 12)).toBe(numbered(3));
    expect(lastLines(numbered(3), 0)).toBe('');
    expect(lastLines(numbered(3), Infinity)).toBe(numbered(3));
  });

  it('drops trailing blank lines before counting', () => {
    expect(lastLines('a\nb\nc\n\n   \n\t\n', 2)).toBe('b\nc');
    expect(lastLines('a\n\nb\n', 3)).toBe('a\n\nb');
  });

  it('strips ANSI escape sequences', () => {
    const coloured = '\u001b[31mFAIL\u001b[0m test_predict \u001b[1;33m(2 errors)\u001b[m';
    expect(lastLines(coloured)).toBe('FAIL test_predict (2 errors)');
    // Cursor moves, erase line, 8-bit CSI, charset switch, private modes.
    expect(lastLines('\u001b[2K\u001b[1Gdone\u009b32mok\u001b(B\u001b[?25h\u001b=')).toBe('doneok');
    // OSC: a window title (BEL) and a hyperlink (ESC \).
    expect(lastLines('\u001b]0;title\u0007see \u001b]8;;https://x.example\u001b\\the docs\u001b]8;;\u001b\\')).toBe('see the docs');
  });

  it('strips control characters but newline and tab', () => {
    expect(lastLines('a\u0000b\u0007c\u0008d\u007fe\u0085f\tg\nh')).toBe('abcdef\tg\nh');
  });

  it('treats CRLF as a line end and a bare CR as a terminal does (what follows it wins)', () => {
    expect(lastLines('one\r\ntwo\r\n')).toBe('one\ntwo');
    expect(lastLines('Downloading 10%\rDownloading 55%\rDownloading 100%\ndone')).toBe('Downloading 100%\ndone');
    expect(lastLines('last\r')).toBe('last');
  });

  it('cuts from the front to maxChars code points, starting with …', () => {
    const long = 'x'.repeat(5000) + '\nthe end';
    const out = lastLines(long);
    expect(charCount(out)).toBe(CHECK_OUTPUT_MAX_CHARS);
    expect(out.startsWith('…')).toBe(true);
    expect(out.endsWith('x\nthe end')).toBe(true);
    expect(lastLines('abcdefghij', 12, 5)).toBe('…ghij');
    expect(lastLines('abcde', 12, 5)).toBe('abcde');
    expect(lastLines('abcdef', 12, 1)).toBe('…');
    expect(lastLines('abc', 12, 0)).toBe('');
  });

  it('counts code points and never splits a surrogate pair', () => {
    const rockets = '🚀'.repeat(2000);
    const out = lastLines(rockets);
    expect(charCount(out)).toBe(LIMITS.checkOutput);
    expect(out.isWellFormed()).toBe(true);
    expect(out).toBe('…' + '🚀'.repeat(LIMITS.checkOutput - 1));
  });

  it('replaces unpaired surrogates, so the service accepts the result', () => {
    const out = lastLines('bad \ud800 half');
    expect(out.isWellFormed()).toBe(true);
    expect(out).toBe('bad \ufffd half');
  });

  it('is idempotent', () => {
    const messy = '\u001b[31m' + numbered(40) + '\r\n' + 'é'.repeat(3000) + '\n\n';
    const once = lastLines(messy);
    expect(lastLines(once)).toBe(once);
  });
});

describe('checkOutput in the stuck context schema', () => {
  const item = (checkOutput: string) => ({
    id: '3f0c4c8e-5b7a-4d1e-9c2f-0a1b2c3d4e5f',
    page: '/labs/pkl/',
    helpful: false,
    kind: 'stuck',
    reason: 'check_failed_unclear',
    lab: 'pkl',
    step: 'deploy',
    context: { stepSeconds: 12, lastCheck: 'failed', checkOutput },
  });
  const { feedback } = feedbackSchemas(personaIds());

  it('has a limit of 1000 characters', () => {
    expect(LIMITS.checkOutput).toBe(1000);
    expect(LIMITS.checkOutput).toBe(CHECK_OUTPUT_MAX_CHARS);
  });

  it('accepts up to the limit, counted in code points', () => {
    expect(StuckContextSchema.safeParse({ checkOutput: 'x'.repeat(1000) }).success).toBe(true);
    // 1000 emoji are 2000 UTF-16 units and still 1000 characters.
    expect(StuckContextSchema.safeParse({ checkOutput: '🚀'.repeat(1000) }).success).toBe(true);
    expect(feedback.safeParse(item('<b>Error</b>\n\tat x')).success).toBe(true);
    expect(feedback.safeParse(item(lastLines('y'.repeat(9999)))).success).toBe(true);
  });

  it('refuses more, with a message naming the field, the limit and the fix', () => {
    const result = feedback.safeParse(item('é'.repeat(1001)));
    expect(result.success).toBe(false);
    const message = describeIssue(result.error!);
    expect(message).toMatch(/^context\.checkOutput: is over 1000 characters; send only the last lines/);
    expect(message).toContain('lastLines()');
    expect(StuckContextSchema.safeParse({ checkOutput: '🚀'.repeat(1001) }).success).toBe(false);
  });

  it('refuses NUL, unpaired surrogates and non-strings', () => {
    expect(describeIssue(feedback.safeParse(item('a\u0000b')).error!)).toMatch(/^context\.checkOutput: must not contain NUL/);
    expect(describeIssue(feedback.safeParse(item('a\ud800b')).error!)).toMatch(/^context\.checkOutput: contains an unpaired surrogate/);
    expect(StuckContextSchema.safeParse({ checkOutput: 42 }).success).toBe(false);
  });
});
