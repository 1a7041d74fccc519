/**
 * The tail of a lab check's output, as an "I'm stuck" report carries it. No dependencies (not even
 * the feedback part), so the lab UI imports it whether or not a fork keeps feedback:
 *
 *   import { lastLines } from '../../shared/check-output.ts';
 *   stuck.get(stepId)?.update({ lastCheck: 'failed', checkOutput: lastLines(r.output) });
 *
 * The limit is defined here and re-exported as LIMITS.checkOutput (feedback-ids.ts), which the
 * service enforces.
 */

/** Most characters (Unicode code points) of check output a report carries. */
export const CHECK_OUTPUT_MAX_CHARS = 1000;
/** Lines of check output kept by default. */
export const CHECK_OUTPUT_MAX_LINES = 12;

/**
 * Escape sequences a terminal interprets: CSI (colours, cursor moves; also the one-byte C1 form),
 * OSC (titles, hyperlinks; ended by BEL or ESC \), DCS/SOS/PM/APC strings, and two- or three-byte
 * escapes such as ESC ( B.
 */
const ANSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[ -/]*[0-~]/g;
/** Control characters other than tab and newline (C0, DEL, C1), and a lone ESC left over. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * The last `maxLines` lines of `output`, at most `maxChars` code points, as plain text: escape
 * sequences and control characters (except newline and tab) removed, a carriage return keeping
 * what a terminal would show (the text after it), trailing blank lines dropped, unpaired
 * surrogates replaced. Cut from the front when too long, starting with '…'. Empty when nothing is left.
 */
export function lastLines(output: string, maxLines: number = CHECK_OUTPUT_MAX_LINES, maxChars: number = CHECK_OUTPUT_MAX_CHARS): string {
  if (maxLines < 1 || maxChars < 1) return '';
  const lines = output
    .toWellFormed()
    .replace(ANSI, '')
    .split(/\r*\n/)
    .map((line) => {
      const bare = line.replace(/\r+$/, '');
      return bare.slice(bare.lastIndexOf('\r') + 1).replace(CONTROL, '');
    });
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  const text = lines.slice(-maxLines).join('\n');
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : '…' + chars.slice(chars.length - (maxChars - 1)).join('');
}
