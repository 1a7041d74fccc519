/** Placeholder until the stuck-output branch lands: the last lines of a check's output, as text. */
export function lastLines(output: string, maxLines = 12, maxChars = 1000): string {
  // eslint-disable-next-line no-control-regex
  const clean = output.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b\][^\x07]*(\x07|\x1b\\)/g, '').replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  const lines = clean.replace(/\s+$/, '').split('\n').slice(-maxLines);
  const chars = [...lines.join('\n')];
  return chars.length > maxChars ? '…' + chars.slice(-(maxChars - 1)).join('') : chars.join('');
}
