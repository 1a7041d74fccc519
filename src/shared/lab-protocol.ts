/**
 * The lab runner's contract: the HTTP call that opens a session and the messages on its
 * WebSocket. Shared by the service (`src/server/lab-runner/`) and the browser (`src/lab/runner-client.ts`).
 *
 * 1. `POST /api/labs/<lab>/sessions` → 201 `CreateSessionResponse`
 *    (404 unknown lab or runner off, 503 when every session slot is taken).
 * 2. WebSocket `ws` (same origin, token in the query). The server sends `ready`, then streams.
 * 3. Previews of servers the lab starts: `/lab-preview/<session>/<token>/<port>/…`.
 */

export interface CreateSessionResponse {
  session: string;
  token: string;
  /** Path of the session's WebSocket, with the token (`/api/labs/sessions/<id>/ws?token=…`). */
  ws: string;
  /** Seconds of inactivity after which the session ends. */
  idleSeconds: number;
}

export type ClientMessage =
  | { t: 'input'; data: string }
  | { t: 'resize'; cols: number; rows: number }
  | { t: 'exec'; id: number; command: string; timeoutMs: number; background?: boolean }
  | { t: 'read'; id: number; path: string }
  | { t: 'write'; id: number; path: string; base64: string }
  | { t: 'list'; id: number }
  | { t: 'ping' };

export type ServerMessage =
  | { t: 'ready'; cols: number; rows: number }
  | { t: 'output'; data: string }
  | { t: 'shell-exit'; code: number }
  | { t: 'exec-result'; id: number; exitCode: number | null; output: string; timedOut: boolean }
  | { t: 'file'; id: number; base64: string }
  | { t: 'files'; id: number; files: string[] }
  | { t: 'ok'; id: number }
  | { t: 'error'; id?: number; message: string }
  | { t: 'port'; port: number; type: 'open' | 'close'; url: string }
  | { t: 'closing'; reason: string };

export const PREVIEW_PREFIX = '/lab-preview/';

export function previewPath(session: string, token: string, port: number): string {
  return `${PREVIEW_PREFIX}${session}/${token}/${port}/`;
}
