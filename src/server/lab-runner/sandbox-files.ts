/**
 * The editor's file operations for a confined session, run inside its sandbox as its user: a
 * symlink the learner made can then only lead to what the sandbox already sees, and never makes
 * the service read or write on the host. The path rules (relative, no `..`, no writing through a
 * symlink, nothing outside the lab folder) are the same as files.ts gives unconfined sessions.
 */
import { checkRelative, PathError } from './files.ts';

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs argv inside the sandbox, stdin from `input`. */
export type SandboxRun = (argv: string[], input?: Buffer) => Promise<RunResult>;

export const MAX_FILE = 32 * 2 ** 20;

const READ = `
p=$(realpath -m -- "$2" 2>/dev/null) || { echo "no such file: $2" >&2; exit 2; }
case "$p" in "$1"/*) ;; *) echo "$2 points outside the lab" >&2; exit 3;; esac
[ -f "$p" ] || { echo "no such file: $2" >&2; exit 2; }
exec head -c ${MAX_FILE} -- "$p"`;

const WRITE = `
rel="$1"; d="$2"; shift 2
while [ $# -gt 1 ]; do
  d="$d/$1"
  if [ -L "$d" ] || { [ -e "$d" ] && [ ! -d "$d" ]; }; then echo "$rel: $1 is not a folder inside the lab" >&2; exit 3; fi
  [ -d "$d" ] || mkdir -- "$d" || exit 1
  shift
done
f="$d/$1"
if [ -L "$f" ]; then echo "$rel is a symbolic link; it cannot be written" >&2; exit 3; fi
exec cat > "$f"`;

const LIST = `cd -- "$1" && find . -mindepth 1 \\( -name node_modules -o -name .git \\) -prune -o -type f -print | head -n "$2"`;

function failed(result: RunResult, what: string): never {
  const message = result.stderr.trim().split('\n').pop() || `${what} failed (exit ${result.code})`;
  throw new PathError(message);
}

export async function readInSandbox(run: SandboxRun, labDir: string, path: string): Promise<Buffer> {
  const parts = checkRelative(path);
  const result = await run(['/bin/sh', '-c', READ, 'read', labDir, parts.join('/')]);
  if (result.code !== 0) failed(result, `reading ${path}`);
  return result.stdout;
}

export async function writeInSandbox(run: SandboxRun, labDir: string, path: string, data: Buffer): Promise<void> {
  const parts = checkRelative(path);
  if (data.length > MAX_FILE) throw new PathError(`${path} is larger than ${MAX_FILE} bytes`);
  const result = await run(['/bin/sh', '-c', WRITE, 'write', path, labDir, ...parts], data);
  if (result.code !== 0) failed(result, `writing ${path}`);
}

/** Segment by segment, as a depth-first walk sorted by name lists them. */
function byPath(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = x[i]!.localeCompare(y[i]!);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

export async function listInSandbox(run: SandboxRun, labDir: string, limit = 2000): Promise<string[]> {
  const result = await run(['/bin/sh', '-c', LIST, 'list', labDir, String(limit)]);
  if (result.code !== 0) failed(result, 'listing the files');
  return result.stdout
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(2))
    .sort(byPath);
}
