// MemoryFs: the in-tab filesystem ramp and the lab's shell share. node:fs semantics for what
// ramp uses, with Node's error codes.
import { describe, expect, it } from 'vitest';
import { MemoryFs } from '../../../labs/ramp/src/memory-fs.ts';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('MemoryFs', () => {
  it('files and folders: write, append, read, ranges, stat, readdir', () => {
    const fs = new MemoryFs();
    fs.mkdir('/a/b', { recursive: true });
    fs.writeFile('/a/b/x.txt', 'hello');
    fs.appendFile('/a/b/x.txt', new TextEncoder().encode(' world'));
    expect(text(fs.readFile('/a/b/x.txt'))).toBe('hello world');
    expect(text(fs.readRange('/a/b/x.txt', 6, 100))).toBe('world');
    expect(fs.readRange('/a/b/x.txt', 50, 10).length).toBe(0);
    const st = fs.stat('/a/b/x.txt');
    expect([st.size, st.isFile(), st.isDirectory()]).toEqual([11, true, false]);
    expect(fs.stat('/a').isDirectory()).toBe(true);
    fs.writeFile('/a/b/a.txt', '');
    expect(fs.readdir('/a/b')).toEqual(['a.txt', 'x.txt']);
    expect(fs.realpath('/a/./b/../b/x.txt')).toBe('/a/b/x.txt');
    fs.writeFile('/deep/er/f', 'x', { parents: true });
    expect(fs.list('/deep')).toEqual([expect.objectContaining({ path: '/deep/er', type: 'dir' }), expect.objectContaining({ path: '/deep/er/f', type: 'file', size: 1 })]);
  });

  it('errors carry Node\'s codes', () => {
    const fs = new MemoryFs();
    fs.writeFile('/f', 'x');
    fs.mkdir('/d');
    fs.writeFile('/d/inner', 'y');
    expect(code(() => fs.readFile('/nope'))).toBe('ENOENT');
    expect(code(() => fs.writeFile('/no/such/file', 'x'))).toBe('ENOENT');
    expect(code(() => fs.readFile('/d'))).toBe('EISDIR');
    expect(code(() => fs.stat('/f/x'))).toBe('ENOTDIR');
    expect(code(() => fs.readdir('/f'))).toBe('ENOTDIR');
    expect(code(() => fs.mkdir('/d'))).toBe('EEXIST');
    expect(code(() => fs.writeFile('/f', 'again', { exclusive: true }))).toBe('EEXIST');
    expect(code(() => fs.rm('/d'))).toBe('EISDIR');
    fs.mkdir('/e');
    fs.writeFile('/e/z', 'z');
    expect(code(() => fs.rename('/d', '/e'))).toBe('ENOTEMPTY');
    expect(code(() => fs.rename('/d', '/d/sub'))).toBe('EINVAL');
    expect(() => fs.rm('/missing', { force: true })).not.toThrow();
    expect(fs.readFile.bind(fs, '/nope')).toThrow(/ENOENT: no such file or directory, open '\/nope'/);
  });

  it('rename replaces a file at once and moves a folder with what it holds; rm removes a tree', () => {
    const fs = new MemoryFs();
    fs.writeFile('/part.csv', 'old');
    fs.writeFile('/.tmp', 'new');
    fs.rename('/.tmp', '/part.csv');
    expect(text(fs.readFile('/part.csv'))).toBe('new');
    expect(fs.readdir('/')).toEqual(['part.csv']);
    fs.writeFile('/src/a/b.txt', 'b', { parents: true });
    fs.rename('/src', '/dst');
    expect(text(fs.readFile('/dst/a/b.txt'))).toBe('b');
    expect(code(() => fs.stat('/src'))).toBe('ENOENT');
    fs.rm('/dst', { recursive: true });
    expect(fs.list()).toEqual([expect.objectContaining({ path: '/part.csv' })]);
  });

  it('every write moves the mtime forward, even within one millisecond', () => {
    const fs = new MemoryFs();
    fs.writeFile('/t.yaml', 'a');
    const t1 = fs.stat('/t.yaml').mtimeMs;
    fs.writeFile('/t.yaml', 'b');
    expect(fs.stat('/t.yaml').mtimeMs).toBeGreaterThan(t1);
  });
});
