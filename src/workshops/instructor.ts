/**
 * The instructor's side in the browser: their token (an instructor or admin token, kept in
 * sessionStorage for this tab only, as the insights page keeps its own) and API calls with it.
 */
import { API_BASE } from '../feedback/client.ts';

const TOKEN_KEY = 'onramp:instructor-token';

export const instructorToken = {
  get(): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY) ?? sessionStorage.getItem('onramp:admin-token');
    } catch {
      return null;
    }
  },
  set(token: string | null): void {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* this page only */
    }
  },
};

export class Unauthorized extends Error {}

/** Calls the API with the instructor's token; throws Unauthorized on 401/403, an Error with the service's message otherwise. */
export async function instructorApi(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>), Authorization: `Bearer ${instructorToken.get() ?? ''}` };
  let body = init.body;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const res = await fetch(API_BASE + path, { ...init, body, headers, credentials: 'omit' });
  if (res.status === 401 || res.status === 403) throw new Unauthorized();
  if (!res.ok) {
    const j = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(j.error ?? `HTTP ${res.status}`);
  }
  return res;
}

/** Wires a sign-in form: shows it until a token is given, then calls `ready`. Returns signOut. */
export function signInGate(form: HTMLFormElement, app: HTMLElement, ready: () => void): (message?: string) => void {
  const error = form.querySelector<HTMLElement>('[data-signin-error]')!;
  const signOut = (message = '') => {
    instructorToken.set(null);
    app.hidden = true;
    form.hidden = false;
    error.textContent = message;
    form.querySelector<HTMLInputElement>('input')?.focus();
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const input = form.querySelector<HTMLInputElement>('input')!;
    if (!input.value.trim()) {
      error.textContent = 'Enter your instructor token.';
      return;
    }
    instructorToken.set(input.value.trim());
    input.value = '';
    error.textContent = '';
    form.hidden = true;
    app.hidden = false;
    ready();
  });
  if (instructorToken.get()) {
    form.hidden = true;
    app.hidden = false;
    ready();
  } else {
    form.hidden = false;
    app.hidden = true;
  }
  return signOut;
}

/** Saves a response body as a file. */
export async function download(res: Response, name: string): Promise<void> {
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const minutes = (ms: number | null | undefined) => {
  if (ms === null || ms === undefined) return '–';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};
