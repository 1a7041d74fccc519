// What ramp needs from the place it runs: a filesystem, streams, the environment and a network.
// The Node CLI (cli.ts, node-host.ts) gives it node:fs, process and node:http; the in-tab lab
// runtime gives it a MemoryFs (memory-fs.ts) and its virtual network. core.ts's run() takes one
// RampIO per call and threads it through the commands, so two runs in one realm never mix.

export interface RampStream {
  write(chunk: string | Uint8Array): void;
  readonly isTTY: boolean;
}

export interface RampRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Uint8Array;
  /**
   * The body already parsed as JSON, when a router had to read it (`ramp serve --traffic` routing
   * by a request field): the version that answers does not parse it a second time.
   */
  parsed?: unknown;
}

export interface RampResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /**
   * `serve --fault slow-body=D`: send the body in pieces spread over this many milliseconds. A
   * host that cannot trickle sends it at once after the delay.
   */
  trickleMs?: number;
}

/**
 * Answers one request. A handler that rejects with a `DropConnection` (`serve --fault
 * drop-rate=F`) asks the host to close the connection without an answer.
 */
export type RampHandler = (req: RampRequest) => Promise<RampResponse>;

export interface RampListener {
  host: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), then resolves. */
  close(): Promise<void>;
}

export interface RampListenOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * `--max-body`: a host that reads bodies in pieces answers 413 as soon as one is over it
   * (the handler checks it again, so a host may ignore this).
   */
  maxBodyBytes?: number;
}

export interface RampNet {
  /** A taken port rejects with an Error whose `code` is 'EADDRINUSE'. */
  listen(opts: RampListenOptions, handler: RampHandler): Promise<RampListener>;
}

export interface RampStat {
  size: number;
  mtimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
}

/**
 * The synchronous filesystem ramp uses. Paths are absolute (ramp resolves relative ones against
 * RampIO.cwd before calling). Failures throw an Error with a Node-style `code` (ENOENT, EEXIST,
 * ENOTDIR, EISDIR, ENOTEMPTY).
 */
export interface RampFs {
  readFile(path: string): Uint8Array;
  /** Up to `length` bytes from `position` (fewer at the end, none past it): big CSVs in pieces. */
  readRange(path: string, position: number, length: number): Uint8Array;
  /** Creates or replaces a file (its folder must exist); `exclusive` fails with EEXIST instead. */
  writeFile(path: string, data: string | Uint8Array, opts?: { exclusive?: boolean }): void;
  /** Creates the file or adds to its end. */
  appendFile(path: string, data: string | Uint8Array): void;
  stat(path: string): RampStat;
  /** The names in a folder (not paths). */
  readdir(path: string): string[];
  mkdir(path: string, opts?: { recursive?: boolean }): void;
  /** Atomic; replaces an existing file at `to`. */
  rename(from: string, to: string): void;
  /** `recursive` removes a folder and what it holds; `force` ignores a missing path. */
  rm(path: string, opts?: { recursive?: boolean; force?: boolean }): void;
  /** The path with links resolved (the path itself where there are no links). */
  realpath(path: string): string;
  /** Flushes a file (or folder) to stable storage; absent where there is none. */
  sync?(path: string): void;
}

export interface RampIO {
  fs: RampFs;
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: RampStream;
  stderr: RampStream;
  /** For `--input -` and `contract test -`. */
  stdin?: () => Uint8Array;
  net: RampNet;
  /**
   * HTTP requests ramp makes as a client (`contract export URL`, `init service-client --model URL`);
   * the platform's `fetch` when absent. The in-tab lab passes its virtual network's.
   */
  fetch?: typeof fetch;
  /** Interruption: `serve` drains and returns 0; long loops may stop. */
  signal?: AbortSignal;
  /**
   * Imports a pipeline's transformation script (`ramp pipeline run`). Without it ramp imports
   * the file's text as a module from a data: URL (no relative imports in the script then).
   */
  importModule?: (path: string) => Promise<Record<string, unknown>>;
}

/** What a handler rejects with to close the connection without an answer. */
export class DropConnection extends Error {
  constructor() {
    super('connection dropped (injected fault)');
    this.name = 'DropConnection';
  }
}
