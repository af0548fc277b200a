import '../src/define.js';
import { clearProvisionCache, type DoctorGate } from '../src/index.js';

const log = document.querySelector<HTMLOListElement>('#log')!;
const EVENTS = ['state', 'before-create', 'provisioned', 'open', 'close', 'message', 'error'] as const;

// A new doctor id on every load, so case 2 always creates.
const fresh = document.querySelector<DoctorGate>('#case-new doctor-gate')!;
fresh.setAttribute('doctor-id', `demo-${Math.random().toString(36).slice(2, 8)}`);

// Prescrypto: a fresh email on every load, so the new-medic gate always creates.
const prescrypto = (name: string) =>
  document.querySelector<DoctorGate>(`#case-prescrypto [data-case="prescrypto-${name}"]`)!;
prescrypto('new').setAttribute('doctor-email', `demo-${Math.random().toString(36).slice(2, 8)}@clinic.example`);
// The medic token this page saved when it created Elena (the sandbox fixture's): a property, never an attribute.
prescrypto('existing').medicToken = 'mt_110';
// Not ready to prescribe (speciality not verified): the gate shows what is missing and still opens.
prescrypto('not-ready').medicToken = 'mt_5';
prescrypto('not-ready').hospital = 7;

function write(caseName: string, type: string, detail: unknown): void {
  const item = document.createElement('li');
  item.className = type;
  const time = new Date().toISOString().slice(11, 23);
  // Text only: details come from the network and must never become markup.
  // A medic token (Prescrypto creations) is for the page to store, not to show.
  const shown = JSON.stringify(detail, (key, value: unknown) =>
    key === 'token' && typeof value === 'string' ? `${value.slice(0, 3)}…` : value,
  );
  item.textContent = `${time} [${caseName}] ${type} ${shown}`;
  log.prepend(item);
}

for (const type of EVENTS) {
  document.addEventListener(`doctor-gate-${type}`, (event) => {
    const target = event.target as HTMLElement;
    const caseName = target.dataset['case'] ?? target.closest('article')?.id.replace('case-', '') ?? '?';
    write(caseName, type, (event as CustomEvent).detail);
  });
}

document.querySelector('#clear')!.addEventListener('click', () => log.replaceChildren());

document.querySelector('#reset')!.addEventListener('click', async () => {
  await fetch('/sandbox/_control/reset', { method: 'POST', headers: { 'Content-Type': 'application/json' } });
  location.reload();
});

const latency = document.querySelector<HTMLSelectElement>('#latency')!;
const setLatency = () =>
  fetch('/sandbox/_control/latency', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ms: Number(latency.value) }),
  });
latency.addEventListener('change', setLatency);
void setLatency();

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-close]')) {
  button.addEventListener('click', () =>
    document.querySelector<DoctorGate>(`#${button.dataset['close']} doctor-gate`)!.close(),
  );
}

// Server mode's fake sign-in: a cookie naming the doctor, read only by the server (demo/server-gates.js).
const SIGN_IN_COOKIE = 'dg-demo-doctor';
const session = document.querySelector<HTMLSpanElement>('#session')!;
const showSession = () => {
  const id = /(?:^|;\s*)dg-demo-doctor=([^;]+)/.exec(document.cookie)?.[1];
  session.textContent = id ? `Signed in: ${decodeURIComponent(id)}` : 'Signed out';
};
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-sign-in]')) {
  button.addEventListener('click', () => {
    const wanted = button.dataset['signIn'];
    const id = wanted === 'new' ? `demo-${Math.random().toString(36).slice(2, 8)}` : wanted;
    document.cookie = id ? `${SIGN_IN_COOKIE}=${id}; path=/; SameSite=Lax` : `${SIGN_IN_COOKIE}=; path=/; max-age=0`;
    // Another doctor now: what the page remembered about the last one is no longer true.
    clearProvisionCache();
    for (const gate of document.querySelectorAll<DoctorGate>('#case-server doctor-gate')) gate.close();
    showSession();
  });
}
showSession();
