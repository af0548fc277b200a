// Case 7: the SMART on FHIR sign-in. The page asks the sandbox EHR's token endpoint for a
// practitioner's tokens and keeps them in cookies; only the server (demo/server-gates.js) reads
// them, verifies the id_token and names the doctor. A real EHR keeps them in its own session.
import { clearProvisionCache, type DoctorGate } from '../src/index.js';

const EHR = '/sandbox/ehr/smart';
const COOKIES = { idToken: 'dg-ehr-id-token', accessToken: 'dg-ehr-access-token' };
const status = document.querySelector<HTMLSpanElement>('#ehr-session')!;
const gate = document.querySelector<DoctorGate>('#case-smart doctor-gate')!;

const setCookies = (idToken: string, accessToken: string) => {
  const gone = idToken ? '' : '; max-age=0';
  document.cookie = `${COOKIES.idToken}=${idToken}; path=/; SameSite=Lax${gone}`;
  document.cookie = `${COOKIES.accessToken}=${accessToken}; path=/; SameSite=Lax${gone}`;
  // Another doctor now: what the page remembered about the last one is no longer true.
  clearProvisionCache();
  gate.close();
};

/** The practitioner's tokens from the EHR's token endpoint. */
async function tokensFor(practitioner: string): Promise<{ id_token: string; access_token: string }> {
  const response = await fetch(`${EHR}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ practitioner }),
  });
  if (!response.ok) throw new Error(`The EHR refused the sign-in (HTTP ${response.status})`);
  return response.json() as Promise<{ id_token: string; access_token: string }>;
}

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-ehr-sign-in]')) {
  button.addEventListener('click', async () => {
    const practitioner = button.dataset['ehrSignIn']!;
    if (!practitioner) {
      setCookies('', '');
      status.textContent = 'Signed out';
      return;
    }
    const tokens = await tokensFor(practitioner);
    setCookies(tokens.id_token, tokens.access_token);
    status.textContent = `Signed in at the EHR: Practitioner/${practitioner}`;
  });
}

// Ana's signature over Jordi's claims: the server refuses it (401) before any vendor call.
document.querySelector('[data-ehr-forge]')!.addEventListener('click', async () => {
  const [ana, jordi] = await Promise.all([tokensFor('pr-ana'), tokensFor('pr-jordi')]);
  const [header, , signature] = ana.id_token.split('.');
  setCookies(`${header}.${jordi.id_token.split('.')[1]}.${signature}`, jordi.access_token);
  status.textContent = 'Signed in with a forged id_token';
});

status.textContent = document.cookie.includes(`${COOKIES.idToken}=`) ? 'Signed in at the EHR' : 'Signed out';
