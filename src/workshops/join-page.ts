/**
 * /workshops/join/: checks the code, joins with a display name, remembers the participant
 * (participant-store.ts) and opens the workshop's lab. Under Do Not Track or Global Privacy
 * Control the learner is told that joining shares progress and may decline.
 */
import { API_BASE, trackingAllowed } from '../feedback/client.ts';
import { normaliseCode, NAME_MAX, cleanName } from '../shared/workshop.ts';
import { forgetWorkshop, joinedWorkshop, rememberWorkshop, type JoinedWorkshop } from './participant-store.ts';

const root = document.getElementById('onramp-join')!;
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
const form = $<HTMLFormElement>('[data-join]');
const error = $('[data-join-error]');
const codeInput = $<HTMLInputElement>('#join-code');
const nameInput = $<HTMLInputElement>('#join-name');

interface Info {
  code: string;
  title: string;
  lab: string | null;
  steps: { lab: string; step: string }[];
  endsAt: string;
  ended: boolean;
}

const labUrl = (w: { lab: string | null; steps: { lab: string }[] }) => `/labs/${w.lab ?? w.steps[0]?.lab ?? ''}/`;

if (!trackingAllowed()) {
  $('[data-dnt]').hidden = false;
  $('[data-submit]').textContent = 'Join and share my progress';
}

function showJoined(j: JoinedWorkshop): void {
  $('[data-joined-text]').textContent = `You joined “${j.title}” (${j.code}) as ${j.name}. Your progress in its lab is shared with the instructor until you leave.`;
  $<HTMLAnchorElement>('[data-joined-lab]').href = labUrl(j);
  $('[data-joined]').hidden = false;
  form.hidden = true;
}

const current = joinedWorkshop();
if (current) showJoined(current);
$('[data-leave]').addEventListener('click', () => {
  forgetWorkshop();
  $('[data-joined]').hidden = true;
  form.hidden = false;
  codeInput.focus();
});

const fromUrl = new URLSearchParams(location.search).get('code');
if (fromUrl) {
  codeInput.value = fromUrl;
  void lookup(fromUrl);
}

async function lookup(raw: string): Promise<Info | null> {
  const code = normaliseCode(raw);
  if (!code) return null;
  const res = await fetch(`${API_BASE}/api/workshops/${code}`, { credentials: 'omit' }).catch(() => null);
  if (!res?.ok) return null;
  const info = (await res.json()) as Info;
  $<HTMLAnchorElement>('[data-decline]').href = labUrl(info);
  return info;
}

const fail = (text: string, field?: HTMLInputElement) => {
  error.textContent = text;
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  }
};

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.textContent = '';
  codeInput.removeAttribute('aria-invalid');
  nameInput.removeAttribute('aria-invalid');
  const code = normaliseCode(codeInput.value);
  if (!code) return fail('The code is six letters and digits, such as K7M3QX.', codeInput);
  const name = cleanName(nameInput.value);
  if (!name) return fail(`Enter a name of 1 to ${NAME_MAX} characters.`, nameInput);
  const res = await fetch(`${API_BASE}/api/workshops/${code}/join`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }), credentials: 'omit' }).catch(() => null);
  if (!res) return fail('The Onramp service cannot be reached. Check your connection and try again.');
  const body = (await res.json().catch(() => ({}))) as { error?: string; workshop?: Info; participant?: { id: string; name: string }; token?: string };
  if (res.status === 404) return fail(`There is no workshop with the code ${code}. Check it with the instructor.`, codeInput);
  if (res.status === 410) return fail('This workshop has ended.', codeInput);
  if (res.status === 409) return fail('This workshop is full. Ask the instructor.');
  if (!res.ok || !body.workshop || !body.participant || !body.token) return fail(body.error ?? `Could not join (HTTP ${res.status}).`);
  const w = body.workshop;
  const joined: JoinedWorkshop = { code: w.code, id: body.participant.id, token: body.token, name: body.participant.name, title: w.title, lab: w.lab, steps: w.steps, endsAt: w.endsAt };
  rememberWorkshop(joined);
  location.assign(labUrl(joined));
});
