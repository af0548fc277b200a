// Runs inside a page served with a strict CSP and Trusted Types, and reports back to the test.
// `?path=iframe` (default), `popup` (the test clicks the button) or `error` (a rejected token).
const violations = [];
document.addEventListener('securitypolicyviolation', (event) =>
  violations.push(`${event.violatedDirective} ${event.blockedURI}`),
);

const params = new URLSearchParams(location.search);
const path = params.get('path') ?? 'iframe';
const report = (data) => window.parent.postMessage({ type: 'csp-result', path, ...data }, location.origin);

const gate = document.createElement('doctor-gate');
const attributes = {
  mode: path === 'popup' ? 'popup' : 'iframe',
  prefetch: 'none',
  'api-base': '/sandbox/speaknosis/v1/health',
  token: path === 'error' ? 'sk_wrong_token' : 'sk_demo_token',
  'provider-id': '1001',
  'doctor-id': params.get('doctor'),
  'doctor-name': 'Ana',
  'doctor-lastname': 'Strict',
  'speciality-id': '1',
  'doctor-lang': 'EN',
  retries: '0',
  'app-url': '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}',
};
for (const [name, value] of Object.entries(attributes)) gate.setAttribute(name, value);

const csp = fetch(location.href, { method: 'HEAD' }).then((response) =>
  response.headers.get('content-security-policy'),
);
const summary = async () => ({
  csp: await csp,
  violations,
  state: gate.state,
  status: gate.shadowRoot.querySelector('[part=status]').textContent,
  trustedTypes: typeof window.trustedTypes !== 'undefined',
  api: Object.keys(window.DoctorGate ?? {}).sort(),
});

let outcome;
gate.addEventListener('doctor-gate-provisioned', (event) => (outcome = event.detail.outcome));
gate.addEventListener('doctor-gate-error', async (event) => report({ ...(await summary()), error: event.detail }));
gate.addEventListener('doctor-gate-message', async () => {
  const result = { ...(await summary()), outcome, appLoaded: true };
  gate.close();
  report(result);
});
document.body.append(gate);
// A popup needs the doctor's click (the test sends a real one); the other paths open at once.
if (path !== 'popup') csp.then(() => gate.open());
else gate.updateComplete.then(() => report({ ready: true }));
