// Runs inside a page served with a strict CSP and Trusted Types, and reports back to the test.
const violations = [];
document.addEventListener('securitypolicyviolation', (event) =>
  violations.push(`${event.violatedDirective} ${event.blockedURI}`),
);

const report = (data) => window.parent.postMessage({ type: 'csp-result', ...data }, location.origin);
const doctorId = new URLSearchParams(location.search).get('doctor');

const gate = document.createElement('doctor-gate');
const attributes = {
  mode: 'iframe',
  prefetch: 'none',
  'api-base': '/sandbox/speaknosis/v1/health',
  token: 'sk_demo_token',
  'provider-id': '1001',
  'doctor-id': doctorId,
  'doctor-name': 'Ana',
  'doctor-lastname': 'Strict',
  'speciality-id': '1',
  'doctor-lang': 'EN',
  'app-url': '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}',
};
for (const [name, value] of Object.entries(attributes)) gate.setAttribute(name, value);

let outcome;
gate.addEventListener('doctor-gate-provisioned', (event) => (outcome = event.detail.outcome));
gate.addEventListener('doctor-gate-error', (event) => report({ error: event.detail, violations }));
gate.addEventListener('doctor-gate-message', () => {
  report({
    csp: document.querySelector('meta[name=csp]')?.content ?? window.__csp ?? '',
    violations,
    outcome,
    state: gate.state,
    trustedTypes: typeof window.trustedTypes !== 'undefined',
    api: Object.keys(window.DoctorGate ?? {}).sort(),
    appLoaded: true,
  });
});
document.body.append(gate);
fetch(location.href, { method: 'HEAD' }).then((response) => {
  window.__csp = response.headers.get('content-security-policy');
  gate.open();
});
