// Shared by the data engineer's commands (pipeline, contract): the exit code for "the bar is
// not met", YAML read with limits, and paths that must stay inside a project folder.
import { parseDocument } from 'yaml';
import type { RampFs } from './host.ts';
import { readText } from './files.ts';
import { isAbsolute, relative, resolve, sep } from './path.ts';
import { EXIT, LimitError, MalformedPickleError, RampError } from './errors.ts';

/**
 * Exit code 6: the input is well formed but does not meet the bar (conventions, a data
 * contract, a breaking contract change). Shared with issue 12's validate/drift.
 */
/** The bar is not met (conventions, a contract): errors.ts's EXIT.BAR_NOT_MET, one code for all commands. */
export const EXIT_NOT_MET = EXIT.BAR_NOT_MET;

/** A config file (pipeline.yaml, contract.yaml, conventions.yaml) is small: 1 MiB is plenty. */
export const MAX_YAML_BYTES = 1 << 20;

/** Malformed YAML or JSON input: exit 4, with the file named. */
export function malformed(message: string, hint: string): RampError {
  return new MalformedPickleError(message, -1, hint);
}

/**
 * Parses YAML text with limits: aliases are capped (a "billion laughs" bomb is refused, not
 * expanded), the size is capped, and only plain data comes out (no custom tags).
 */
export function parseYamlText(text: string, file: string): unknown {
  if (text.length > MAX_YAML_BYTES) throw new LimitError(`${file} is ${text.length} bytes; a config file may hold at most ${MAX_YAML_BYTES}`, -1, 'This is not a hand-written config file. Check the path.');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, strict: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const where = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    throw malformed(`${file}: not valid YAML${where}: ${e.message.split('\n')[0]}`, 'Fix the YAML syntax; `ramp` names the first problem it finds.');
  }
  try {
    // maxAliasCount bounds how much an alias may expand: a YAML bomb stops here.
    return doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    throw new LimitError(`${file}: ${(e as Error).message}`, -1, 'Aliases that expand this much are a YAML bomb, not a config file. Write the values out.');
  }
}

export function readYamlFile(fs: RampFs, path: string, shown = path): unknown {
  let size: number;
  try {
    size = fs.stat(path).size;
  } catch {
    throw new RampError(`${shown} does not exist`, { code: 'not_found', hint: 'Check the path, or run the command from the project folder.' });
  }
  if (size > MAX_YAML_BYTES) throw new LimitError(`${shown} is ${size} bytes; a config file may hold at most ${MAX_YAML_BYTES}`, -1, 'This is not a hand-written config file. Check the path.');
  return parseYamlText(readText(fs, path), shown);
}

/**
 * Resolves a path written in a project file against the project folder and refuses one that
 * leaves it (absolute, `..`, or through a symbolic link): exit 3, unsafe.
 */
export function insideProject(fs: RampFs, root: string, rel: string, file: string, field: string): string {
  const fail = (why: string): never => {
    throw new RampError(`${file}: ${field}: "${rel}" ${why}`, { code: 'unsafe_path', exitCode: 3, hint: 'Paths in a project file are relative to the project folder and stay inside it (no "..", no absolute paths, no links out).' });
  };
  if (typeof rel !== 'string' || rel === '') fail('is not a path');
  if (isAbsolute(rel) || rel.includes('\\') || rel.includes('\0')) fail('is not a relative path');
  const full = resolve(root, rel);
  const within = (base: string, p: string): boolean => {
    const r = relative(base, p);
    return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
  };
  if (!within(resolve(root), full)) fail('leaves the project folder');
  // Follow links for the part of the path that exists.
  let probe = full;
  for (;;) {
    try {
      const real = fs.realpath(probe);
      if (!within(fs.realpath(root), real)) fail('leads out of the project folder through a link');
      break;
    } catch (e) {
      if (e instanceof RampError) throw e;
      const parent = resolve(probe, '..');
      if (parent === probe) break;
      probe = parent;
    }
  }
  return full;
}
