// A lean HTTP/1.1 client for load generation: keep-alive sockets, one request in flight per
// socket, responses read by their Content-Length. It costs the machine about a third of what
// node:http's client does per request, and on a 2-core machine every core the load generator
// takes is one the service under test does not get (in production the load comes from elsewhere).
import net from 'node:net';

/** Sockets idle this long are closed rather than reused: below node:http's keepAliveTimeout (5 s). */
const IDLE_MS = 4000;

/**
 * A pool of up to `max` sockets to host:port. `post(path, body)` resolves with the status code
 * once the whole response has arrived; requests wait for a free socket (their wait counts in the
 * caller's timing, as an open-loop load generator must count it).
 */
export function rawPool(host, port, max) {
  const idle = [];
  const waiting = [];
  let open = 0;

  function connect() {
    open++;
    const socket = net.connect({ host, port, noDelay: true });
    const conn = { socket, buf: Buffer.alloc(0), done: null, fail: null };
    socket.on('data', (chunk) => {
      conn.buf = conn.buf.length ? Buffer.concat([conn.buf, chunk]) : chunk;
      readResponse(conn);
    });
    let gone = false;
    const lost = (error) => {
      if (gone) return;
      gone = true;
      open--;
      const i = idle.indexOf(conn);
      if (i >= 0) idle.splice(i, 1);
      conn.fail?.(error ?? new Error('connection closed'));
      conn.done = conn.fail = null;
    };
    socket.on('error', lost);
    socket.on('close', () => lost());
    conn.drop = () => {
      socket.destroy();
      lost();
    };
    return conn;
  }

  function readResponse(conn) {
    const end = conn.buf.indexOf('\r\n\r\n');
    if (end < 0 || !conn.done) return;
    const head = conn.buf.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (conn.buf.length < end + 4 + length) return;
    conn.buf = conn.buf.subarray(end + 4 + length);
    const status = Number(head.slice(9, 12));
    const done = conn.done;
    conn.done = conn.fail = null;
    release(conn);
    done(status);
  }

  function release(conn) {
    const next = waiting.shift();
    if (next) send(conn, next);
    else {
      conn.idleSince = performance.now();
      idle.push(conn);
    }
  }

  /** The most recently used idle socket; older ones are closed, since a request written just as
   * the server closes its end would fail (seen: 2 errors in a run with the database on tmpfs). */
  function takeIdle() {
    for (let conn = idle.pop(); conn; conn = idle.pop()) {
      if (performance.now() - conn.idleSince < IDLE_MS) return conn;
      conn.drop();
    }
    return null;
  }

  function send(conn, job) {
    conn.done = job.resolve;
    conn.fail = job.reject;
    conn.socket.write(job.request);
  }

  return {
    post(path, body) {
      const request = `POST ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      return new Promise((resolve, reject) => {
        const job = { request, resolve, reject };
        const conn = takeIdle() ?? (open < max ? connect() : null);
        if (conn) send(conn, job);
        else waiting.push(job);
      });
    },
    close() {
      for (const conn of idle.splice(0)) conn.socket.destroy();
    },
  };
}
