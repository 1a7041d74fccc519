// POSIX paths without node:path, for the host-agnostic core (the tab's filesystem and Node's
// on Linux and macOS share them).

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function normalize(p: string): string {
  const abs = isAbsolute(p);
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(s);
  }
  const body = out.join('/');
  return abs ? `/${body}` : body || '.';
}

export function join(...parts: string[]): string {
  return normalize(parts.filter((s) => s !== '').join('/') || '.');
}

/** `parts` resolved right to left until one is absolute, then against `cwd`. */
export function resolve(cwd: string, ...parts: string[]): string {
  let p = '';
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(p); i--) p = p ? `${parts[i]}/${p}` : parts[i]!;
  return normalize(isAbsolute(p) ? p : `${cwd}/${p}`);
}

export function dirname(p: string): string {
  const n = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const i = n.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : n.slice(0, i);
}

export function basename(p: string): string {
  const n = p.length > 1 ? p.replace(/\/+$/, '') : p;
  return n.slice(n.lastIndexOf('/') + 1);
}

/** The path from `from` to `to`, both absolute. */
export function relative(from: string, to: string): string {
  const a = normalize(from).split('/').filter(Boolean);
  const b = normalize(to).split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

export const sep = '/';
