/**
 * What the bubblewrap driver needs from this machine, found once: the programs (bwrap, nsenter,
 * setpriv), the unprivileged user sessions run as, the top-level links into /usr, and a Node
 * binary the sandbox user can read. `probeBwrap()` starts one trial sandbox, so a machine where
 * user namespaces are turned off is found at start, not at the first learner's click.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, existsSync, linkSync, lstatSync, mkdtempSync, readlinkSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface BwrapHost {
  bwrap: string;
  nsenter: string;
  /** Prefix that starts a program as the sandbox user with no_new_privs (setpriv). */
  dropPrivileges: string[];
  sandboxUser: { uid: number; gid: number };
  asRoot: boolean;
  /** Top-level /bin, /lib…: name → link target (Debian's merged /usr), or null for a real folder (bound read-only). */
  usrLinks: [string, string | null][];
  /** A folder holding the `node` binary, readable by the sandbox user. */
  nodeDir: string;
}

function findProgram(name: string): string | null {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/usr/local/bin']) {
    const full = join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      /* next */
    }
  }
  return null;
}

function usrLinks(): [string, string | null][] {
  const out: [string, string | null][] = [];
  for (const name of ['bin', 'sbin', 'lib', 'lib64', 'lib32', 'libx32']) {
    try {
      const info = lstatSync(`/${name}`);
      if (info.isSymbolicLink()) out.push([`/${name}`, readlinkSync(`/${name}`)]);
      else if (info.isDirectory()) out.push([`/${name}`, null]);
    } catch {
      /* absent */
    }
  }
  return out;
}

/** True when every folder above `file` lets others through and the file lets others read it. */
function worldReadable(file: string): boolean {
  let dir = dirname(file);
  if ((statSync(file).mode & 0o005) !== 0o005) return false;
  while (dir !== '/') {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    dir = dirname(dir);
  }
  return true;
}

/**
 * The Node binary running this service, in a folder the sandbox user may read: its own folder
 * when that is readable by others, else a hard link (or copy) in a folder of ours under tmpdir.
 */
export function sandboxNodeDir(asRoot: boolean, execPath = process.execPath): string {
  if (!asRoot || worldReadable(execPath)) return dirname(execPath);
  const stable = join(tmpdir(), `onramp-sandbox-node-${process.version}-${process.getuid!()}`);
  const target = join(stable, 'node');
  try {
    const info = lstatSync(stable);
    if (info.isDirectory() && !info.isSymbolicLink() && info.uid === process.getuid!() && (info.mode & 0o022) === 0 && existsSync(target)) return stable;
  } catch {
    /* not there yet */
  }
  const fresh = mkdtempSync(join(tmpdir(), 'onramp-sandbox-node-'));
  try {
    linkSync(execPath, join(fresh, 'node'));
  } catch {
    copyFileSync(execPath, join(fresh, 'node'));
  }
  chmodSync(fresh, 0o755);
  chmodSync(join(fresh, 'node'), 0o755);
  try {
    if (!existsSync(stable)) renameSync(fresh, stable);
    else return fresh;
  } catch {
    return fresh;
  }
  return stable;
}

export function bwrapHost(env: NodeJS.ProcessEnv = process.env): BwrapHost | string {
  if (process.platform !== 'linux') return 'bubblewrap needs Linux';
  const bwrap = findProgram('bwrap');
  if (!bwrap) return 'bwrap is not installed (Debian: apt-get install bubblewrap)';
  const nsenter = findProgram('nsenter');
  const setpriv = findProgram('setpriv');
  if (!nsenter || !setpriv) return 'nsenter and setpriv (util-linux) are needed';
  if (!existsSync('/usr/bin/prlimit')) return '/usr/bin/prlimit (util-linux) is needed';
  const asRoot = process.getuid!() === 0;
  const uid = asRoot ? Number(env.ONRAMP_LAB_SANDBOX_UID || 65534) : process.getuid!();
  const gid = asRoot ? Number(env.ONRAMP_LAB_SANDBOX_GID || env.ONRAMP_LAB_SANDBOX_UID || 65534) : process.getgid!();
  if (!Number.isInteger(uid) || uid <= 0 || !Number.isInteger(gid) || gid <= 0) return 'ONRAMP_LAB_SANDBOX_UID/GID must be a user other than root';
  const dropPrivileges = asRoot ? [setpriv, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--no-new-privs', '--'] : [setpriv, '--no-new-privs', '--'];
  return { bwrap, nsenter, dropPrivileges, sandboxUser: { uid, gid }, asRoot, usrLinks: usrLinks(), nodeDir: sandboxNodeDir(asRoot) };
}

/** Starts one trial sandbox; null when it works, else why not. */
export function probeBwrap(host: BwrapHost): string | null {
  const args = [...host.dropPrivileges, host.bwrap, '--unshare-all', '--unshare-user', '--die-with-parent', '--ro-bind', '/usr', '/usr'];
  args.push(...rootDirArgs(host));
  args.push('--ro-bind', host.nodeDir, '/opt/node/bin', '--proc', '/proc', '--', '/opt/node/bin/node', '-e', 'process.exit(0)');
  const run = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 20_000, env: {} });
  if (run.status === 0) return null;
  const why = (run.stderr || run.error?.message || `exit ${run.status}`).trim().split('\n').pop();
  return `bubblewrap cannot start a sandbox here (${why}); user namespaces may be turned off (sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces)`;
}

/** bwrap arguments recreating /bin, /lib… as on the host. */
export function rootDirArgs(host: BwrapHost): string[] {
  return host.usrLinks.flatMap(([name, target]) => (target === null ? ['--ro-bind', name, name] : ['--symlink', target, name]));
}
