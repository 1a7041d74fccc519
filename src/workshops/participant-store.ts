/**
 * The workshop this browser joined, kept in localStorage (so a reload or another tab of the lab
 * stays in it) until the learner leaves or the workshop ends: the code, the participant's id and
 * token (the token is what lets the service accept progress as theirs), their name, the lab or
 * path, and the last message seen. No dependencies: the feedback client reads it too.
 */
export interface JoinedWorkshop {
  code: string;
  id: string;
  token: string;
  name: string;
  title: string;
  lab: string | null;
  steps: { lab: string; step: string }[];
  endsAt: string;
  /** The sequence number of the last message (ack, broadcast, …) shown. */
  lastSeq?: string;
}

export const JOINED_KEY = 'onramp:workshop';
/** DOM event on `document` when "I'm stuck" is sent in a workshop: `{ lab, step, note?, checkOutput? }` raises a hand. */
export const STUCK_EVENT = 'onramp:workshop-stuck';

export function joinedWorkshop(): JoinedWorkshop | null {
  try {
    const raw = localStorage.getItem(JOINED_KEY);
    if (!raw) return null;
    const j = JSON.parse(raw) as JoinedWorkshop;
    return j && typeof j.code === 'string' && typeof j.token === 'string' && typeof j.id === 'string' ? j : null;
  } catch {
    return null;
  }
}

export function rememberWorkshop(j: JoinedWorkshop): void {
  try {
    localStorage.setItem(JOINED_KEY, JSON.stringify(j));
  } catch {
    /* private mode without storage: this page only */
  }
}

export function forgetWorkshop(): void {
  try {
    localStorage.removeItem(JOINED_KEY);
  } catch {
    /* nothing kept */
  }
}
