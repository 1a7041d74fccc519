/**
 * The preview bridge. A sandbox has no network but its own loopback, so the preview proxy cannot
 * reach a learner's server on 127.0.0.1. A small Node program inside the sandbox listens on a
 * unix socket in the session folder; each connection starts with the port and a newline, and is
 * then piped to that port on the sandbox's loopback (127.0.0.1, else ::1).
 *
 * The socket is created in the learner's folder, which the learner can change, so the service
 * never connects there: once the bridge is listening, the service renames the socket into the
 * session's root (a folder only the service can write) and checks it is a socket, not a symlink
 * to some other socket of the machine. From then on nothing inside can swap it.
 */
import { lstat, rename } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { SandboxError } from './sandbox.ts';

/** File name of the bridge's socket, first in the lab folder, then in the session root. */
export const BRIDGE_SOCKET = '.onramp-bridge.sock';

/** The bridge, run as `node -e BRIDGE_SOURCE <socket path>`; prints `ready` once listening. */
export const BRIDGE_SOURCE = `
const net = require('node:net');
const fs = require('node:fs');
const path = process.argv[1];
try { fs.unlinkSync(path); } catch {}
const upstream = (port, done) => {
  const tcp = net.connect(port, '127.0.0.1');
  tcp.once('connect', () => done(tcp));
  tcp.once('error', () => {
    const six = net.connect(port, '::1');
    six.once('connect', () => done(six));
    six.once('error', () => done(null));
  });
};
net.createServer((c) => {
  let head = Buffer.alloc(0);
  c.on('error', () => c.destroy());
  const onData = (d) => {
    head = Buffer.concat([head, d]);
    const nl = head.indexOf(10);
    if (nl < 0) { if (head.length > 8) c.destroy(); return; }
    c.off('data', onData);
    c.pause();
    const port = Number(head.subarray(0, nl).toString());
    const rest = head.subarray(nl + 1);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return c.destroy();
    upstream(port, (u) => {
      if (!u) return c.destroy();
      u.on('error', () => c.destroy());
      c.on('close', () => u.destroy());
      if (rest.length) u.write(rest);
      c.pipe(u);
      u.pipe(c);
      c.resume();
    });
  };
  c.on('data', onData);
}).listen(path, () => process.stdout.write('ready\\n'));
`;

/** Moves the bridge's socket out of the learner's reach; returns its new path. */
export async function secureBridgeSocket(labDir: string, root: string): Promise<string> {
  const target = join(root, BRIDGE_SOCKET);
  await rename(join(labDir, BRIDGE_SOCKET), target);
  const info = await lstat(target);
  if (!info.isSocket()) throw new SandboxError('the preview bridge socket was replaced by something else');
  return target;
}

/** A connection to `port` inside the sandbox, through the bridge socket. */
export function connectThroughBridge(socketPath: string, port: number): Duplex {
  const socket = connect(socketPath);
  socket.write(`${port}\n`);
  return socket;
}
