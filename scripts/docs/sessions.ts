/**
 * Finds the sessions in an MDX page: fenced command blocks whose meta holds the word `session`,
 * each with the output block that follows it. Pure text processing, no MDX compiler: the markers
 * live in the fence's meta string, which Expressive Code parses as options it does not know and
 * ignores, so readers see nothing different.
 *
 *   ```bash session          ← run, in order with the page's other sessions, in one shell
 *   ramp scan iris.pkl; echo "exit $?"
 *   ```
 *                            ← only blank lines between: the next block is the expected output
 *   ```text
 *   ✓ safe to load  iris.pkl
 *   …
 *   ```
 *
 * A block marked `illustration` is never run. Any other block that holds a `ramp` command is
 * reported as unmarked, so every command a page shows is either tested or deliberately not.
 */
import { parse as parseYaml } from 'yaml';

/** One fenced code block, with 1-based line numbers into the page. */
export interface Fence {
  /** Line of the opening fence. */
  line: number;
  /** Line of the closing fence (or the last line of the page when the fence is never closed). */
  endLine: number;
  indent: string;
  lang: string;
  meta: string;
  /** Bare words of the meta string (`session`, `illustration`, …). */
  flags: Set<string>;
  /** `key=value` options of the meta string. */
  options: Map<string, string>;
  /** The lines between the fences, with the fence's indentation removed. */
  body: string[];
}

export interface ExpectedOutput {
  /** Line of the output block's opening fence. */
  line: number;
  /** The output block itself, for rewriting it in place. */
  fence: Fence;
  text: string;
}

export interface SessionBlock {
  /** Line of the command block's opening fence. */
  line: number;
  code: string;
  /** The block's first command line, for messages. */
  command: string;
  expected: ExpectedOutput | null;
  /** Seconds this block may take (meta `timeout=N`); the runner's default otherwise. */
  timeout: number | null;
}

export interface UnmarkedCommand {
  line: number;
  command: string;
}

export interface PageSessions {
  /** Fixture folders copied into the scratch directory before the first session runs. */
  fixtures: string[];
  blocks: SessionBlock[];
  unmarked: UnmarkedCommand[];
}

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;

/** A `ramp` command at a command position: start of line, after `$ `, `- ` (YAML lists), `;`, `&&`, `||`, `|`, `(` (so `$(ramp …)` too). */
const RAMP_COMMAND = /(?:^|&&|\|\||[;|(]|\$ )\s*ramp(?:\s|$)/;

/** Splits a fence's meta string into bare words and key=value options (quoted values allowed). */
export function parseMeta(meta: string): { flags: Set<string>; options: Map<string, string> } {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const token = /([A-Za-z_][\w-]*)\s*=\s*("[^"]*"|'[^']*'|\S+)|"[^"]*"|'[^']*'|\/(?:\\.|[^/\\])*\/|\{[^}]*\}|(\S+)/g;
  for (const m of meta.matchAll(token)) {
    if (m[1] !== undefined) options.set(m[1], m[2]!.replace(/^(["'])(.*)\1$/, '$2'));
    else if (m[3] !== undefined) flags.add(m[3]);
  }
  return { flags, options };
}

/** Every fenced code block of a Markdown/MDX text. */
export function findFences(text: string): Fence[] {
  const lines = text.split('\n');
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]!);
    if (!open) continue;
    const [, indent, marks, rest] = open as unknown as [string, string, string, string];
    if (marks[0] === '`' && rest.includes('`')) continue; // not a fence (CommonMark)
    const info = rest.trim();
    const space = info.search(/\s/);
    const lang = space < 0 ? info : info.slice(0, space);
    const meta = space < 0 ? '' : info.slice(space + 1).trim();
    const close = new RegExp(`^[ \\t]*${marks[0] === '`' ? '`' : '~'}{${marks.length},}[ \\t]*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]!); j++) {
      const l = lines[j]!;
      // Remove up to the opening fence's indentation (CommonMark).
      let k = 0;
      while (k < indent.length && k < l.length && (l[k] === ' ' || l[k] === '\t')) k++;
      body.push(l.slice(k));
    }
    fences.push({ line: i + 1, endLine: Math.min(j + 1, lines.length), indent, lang, meta, ...parseMeta(meta), body });
    i = j;
  }
  return fences;
}

/** The page's frontmatter `fixture` field: one folder or a list of them. */
export function frontmatterFixtures(text: string): string[] {
  const fm = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
  if (!fm) return [];
  const data = parseYaml(fm[1]!) as Record<string, unknown> | null;
  const f = data?.fixture;
  if (f === undefined || f === null) return [];
  if (typeof f === 'string') return [f];
  if (Array.isArray(f) && f.every((x) => typeof x === 'string')) return f as string[];
  throw new Error('frontmatter field "fixture" must be a folder name or a list of them');
}

function blankBetween(lines: string[], fromLine: number, toLine: number): boolean {
  // Lines strictly between two 1-based line numbers are all blank.
  for (let l = fromLine + 1; l < toLine; l++) if (lines[l - 1]!.trim() !== '') return false;
  return true;
}

/** The sessions, expected outputs and unmarked `ramp` commands of one page. */
export function parseSessions(text: string): PageSessions {
  const lines = text.split('\n');
  const fences = findFences(text);
  const blocks: SessionBlock[] = [];
  const unmarked: UnmarkedCommand[] = [];
  const outputs = new Set<Fence>();
  for (let i = 0; i < fences.length; i++) {
    const f = fences[i]!;
    if (outputs.has(f)) continue;
    if (f.flags.has('session')) {
      const next = fences[i + 1];
      let expected: ExpectedOutput | null = null;
      if (next && !next.flags.has('session') && !next.flags.has('illustration') && blankBetween(lines, f.endLine, next.line)) {
        outputs.add(next);
        expected = { line: next.line, fence: next, text: next.body.join('\n') };
      }
      const code = f.body.join('\n');
      const timeout = f.options.has('timeout') ? Number(f.options.get('timeout')) : null;
      if (timeout !== null && !(timeout > 0)) throw new Error(`line ${f.line}: timeout= must be a number of seconds`);
      blocks.push({ line: f.line, code, command: f.body.find((l) => l.trim() !== '')?.trim() ?? '', expected, timeout });
      continue;
    }
    if (f.flags.has('illustration')) continue;
    const cmd = f.body.find((l) => RAMP_COMMAND.test(l.replace(/^\s*-\s+/, '')));
    if (cmd !== undefined) unmarked.push({ line: f.line, command: cmd.trim() });
  }
  return { fixtures: frontmatterFixtures(text), blocks, unmarked };
}

/**
 * Replaces the bodies of the given output blocks, keeping each fence's indentation. Returns the new
 * page text. `replacements` maps a fence's opening line to its new body.
 */
export function rewriteOutputs(text: string, replacements: Map<number, string>): string {
  const lines = text.split('\n');
  const fences = findFences(text).filter((f) => replacements.has(f.line));
  // Bottom-up, so earlier line numbers stay valid.
  for (const f of fences.sort((a, b) => b.line - a.line)) {
    const body = replacements.get(f.line)!;
    const newLines = body === '' ? [] : body.split('\n').map((l) => (l === '' ? '' : f.indent + l));
    lines.splice(f.line, f.endLine - f.line - 1, ...newLines);
  }
  return lines.join('\n');
}
