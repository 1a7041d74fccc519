/**
 * Module loading for the in-tab `node`: a script's imports, rewritten (es-module-lexer) to blob
 * URLs — relative files, packages from node_modules (package.json `exports`, `module`, `main`),
 * CommonJS packages through a small `require`, TypeScript files with their types stripped
 * (sucrase, loaded only when a .ts file is imported), and Node built-ins from `node-shims.ts`.
 * Node's own rules decide what is CommonJS: `.cjs`, or `.js` under a package.json without
 * `"type": "module"`.
 */
import { init, parse } from 'es-module-lexer/js';
import { resolvePath } from './bash-fs.ts';
import { BUILTINS, type Shims } from './node-shims.ts';

type Exports = Record<string, unknown>;

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';
const isIdentifier = (k: string) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default';
const blobUrl = (src: string) => URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));

export class ModuleLoader {
  private files: Map<string, Uint8Array>;
  private shims: Shims;
  private urls = new Map<string, Promise<string>>();
  private builtins = new Map<string, string>();
  private cjs = new Map<string, { exports: unknown }>();
  private stripTypes: ((src: string, path: string) => string) | null = null;

  constructor(files: Map<string, Uint8Array>, shims: Shims) {
    this.files = files;
    this.shims = shims;
    // CommonJS wrappers read their module's exports from here.
    (globalThis as unknown as { __onrampCjs: Map<string, { exports: unknown }> }).__onrampCjs = this.cjs;
  }

  /** `require` for built-ins and CommonJS files, relative to `from` (a file path). */
  require(name: string, from: string): unknown {
    const bare = name.replace(/^node:/, '');
    if ((BUILTINS as readonly string[]).includes(bare)) return this.shims[bare as keyof Shims];
    const file = this.resolve(name, dirOf(from));
    if (!file) throw new Error(`Cannot find module '${name}' required from ${from}`);
    if (file.endsWith('.json')) return JSON.parse(this.text(file)!);
    return this.loadCjs(file).exports;
  }

  /** The blob URL of a module, loading what it imports first. `source` replaces the file's text (`node -e`). */
  url(path: string, source?: string): Promise<string> {
    let known = this.urls.get(path);
    if (!known) {
      known = this.load(path, source);
      this.urls.set(path, known);
    }
    return known;
  }

  private text(path: string): string | null {
    const data = this.files.get(path);
    return data ? new TextDecoder().decode(data) : null;
  }

  private builtinUrl(name: string): string {
    let url = this.builtins.get(name);
    if (!url) {
      const keys = Object.keys(this.shims[name as keyof Shims]).filter(isIdentifier);
      url = blobUrl(`const m = globalThis.__onrampNode[${JSON.stringify(name)}];\nexport default m;\n${keys.map((k) => `export const ${k} = m.${k};`).join('\n')}\n`);
      this.builtins.set(name, url);
    }
    return url;
  }

  private resolveFile(path: string): string | null {
    for (const c of [path, `${path}.mjs`, `${path}.js`, `${path}.ts`, `${path}.cjs`, `${path}.json`, `${path}/index.mjs`, `${path}/index.js`, `${path}/index.ts`]) if (this.files.has(c)) return c;
    return null;
  }

  /** A relative or absolute path, or a package from node_modules folders up the tree. */
  private resolve(spec: string, fromDir: string): string | null {
    if (spec.startsWith('.') || spec.startsWith('/')) return this.resolveFile(resolvePath(fromDir, spec));
    const parts = spec.split('/');
    const pkgName = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    const sub = spec.slice(pkgName.length);
    for (let dir = fromDir; ; dir = dirOf(dir)) {
      const root = `${dir === '/' ? '' : dir}/node_modules/${pkgName}`;
      const pkgText = this.text(`${root}/package.json`);
      if (pkgText) {
        if (sub) return this.resolveFile(`${root}${sub}`);
        const pkg = JSON.parse(pkgText) as { exports?: unknown; module?: string; main?: string };
        return this.resolveFile(resolvePath(root, pickExport(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js'));
      }
      if (dir === '/') return null;
    }
  }

  /** Whether Node would load this file as CommonJS. */
  private isCommonJs(path: string): boolean {
    if (path.endsWith('.cjs')) return true;
    if (!path.endsWith('.js')) return false;
    for (let dir = dirOf(path); ; dir = dirOf(dir)) {
      const pkg = this.text(`${dir === '/' ? '' : dir}/package.json`);
      if (pkg) return (JSON.parse(pkg) as { type?: string }).type !== 'module';
      if (dir === '/') return true;
    }
  }

  private loadCjs(path: string): { exports: unknown } {
    const known = this.cjs.get(path);
    if (known) return known;
    const module = { exports: {} as unknown };
    this.cjs.set(path, module);
    const run = new Function('exports', 'require', 'module', '__filename', '__dirname', `${this.text(path)}\n//# sourceURL=${path}`) as (...a: unknown[]) => void;
    run(module.exports, (name: string) => this.require(name, path), module, path, dirOf(path));
    return module;
  }

  private async load(path: string, source?: string): Promise<string> {
    if (source === undefined && this.isCommonJs(path)) {
      const exports = this.loadCjs(path).exports;
      const keys = exports && typeof exports === 'object' ? Object.keys(exports as Exports).filter(isIdentifier) : [];
      return blobUrl(`const m = globalThis.__onrampCjs.get(${JSON.stringify(path)}).exports;\nexport default m;\n${keys.map((k) => `export const ${k} = m.${k};`).join('\n')}\n`);
    }
    let src = source ?? this.text(path);
    if (src === null) throw new Error(`Cannot find module '${path}'`);
    if (path.endsWith('.json')) return blobUrl(`export default ${src};`);
    if (/\.(c|m)?ts$/.test(path)) src = (await this.typeStripper())(src, path);
    await init;
    const [imports] = parse(src, path);
    let out = '';
    let last = 0;
    let dynamic = false;
    for (const imp of imports) {
      if (imp.type === 'import-meta') continue;
      if (imp.type === 'dynamic' && (typeof imp.specifier !== 'string' || imp.glob || /[?#]/.test(imp.specifier))) {
        // Computed at run time (e.g. a file with a cache-busting query): resolved when it runs.
        // `import` (importStart..dynamicStart) becomes the loader's function; the parenthesis stays.
        out += `${src.slice(last, imp.importStart)}__onrampImport`;
        last = imp.dynamicStart;
        dynamic = true;
        continue;
      }
      if (typeof imp.specifier !== 'string') continue;
      const url = await this.specifierUrl(imp.specifier, path);
      // A static import's range is the specifier's text; a dynamic one's may include its quotes.
      const quoted = /^['"`]/.test(src.slice(imp.start, imp.start + 1));
      out += src.slice(last, imp.start) + (quoted ? JSON.stringify(url) : url);
      last = imp.end;
    }
    out += src.slice(last);
    // `node -e "require('http')…"`: a script with no import or export that calls require.
    const commonJs = !imports.length && /\brequire\s*\(/.test(src) && !/^\s*(import|export)\b/m.test(src);
    if (commonJs) out = `const require = (n) => globalThis.__onrampNode.require(n, ${JSON.stringify(path)});\n${out}`;
    if (dynamic) out = `const __onrampImport = (s) => globalThis.__onrampNode.import(s, ${JSON.stringify(path)});\n${out}`;
    return blobUrl(out);
  }

  /** `import(x)` with `x` known only when it runs; a query or hash loads the file afresh, as Node does. */
  async dynamicImport(spec: unknown, from: string): Promise<unknown> {
    let name = String(spec);
    if (name.startsWith('file://')) name = decodeURIComponent(new URL(name).pathname) + new URL(name).search;
    const [bare, query] = [name.replace(/[?#].*$/, ''), /[?#]/.test(name)];
    if ((BUILTINS as readonly string[]).includes(bare.replace(/^node:/, ''))) return import(/* @vite-ignore */ this.builtinUrl(bare.replace(/^node:/, '')));
    const file = this.resolve(bare, dirOf(from));
    if (!file) throw new Error(`Cannot find module '${name}' imported from ${from}`);
    return import(/* @vite-ignore */ query ? await this.load(file) : await this.url(file));
  }

  private async specifierUrl(spec: string, fromFile: string): Promise<string> {
    const bare = spec.replace(/^node:/, '');
    if ((BUILTINS as readonly string[]).includes(bare)) return this.builtinUrl(bare);
    if (spec.startsWith('node:')) throw new Error(`Cannot find module '${spec}': it is not available in the in-tab lab`);
    const file = this.resolve(spec, dirOf(fromFile));
    if (!file) throw new Error(`Cannot find module '${spec}' imported from ${fromFile}`);
    return this.url(file);
  }

  private async typeStripper(): Promise<(src: string, path: string) => string> {
    if (!this.stripTypes) {
      const { transform } = await import('sucrase');
      this.stripTypes = (src, path) => transform(src, { transforms: ['typescript'], disableESTransforms: true, keepUnusedImports: false, filePath: path }).code;
    }
    return this.stripTypes;
  }
}

function pickExport(e: unknown): string | null {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    for (const k of ['.', 'browser', 'import', 'module', 'node', 'default', 'require']) if (k in o) return pickExport(o[k]);
  }
  return null;
}
