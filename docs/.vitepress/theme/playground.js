// The playground's data: the doctors and faults to pick from, a gate's set-up for a choice,
// and one readable line per gate event.

export const SPEAKNOSIS_API = 'https://api-qa.speaknosis.com/v1/health';
export const PRESCRYPTO_API = 'https://integration.prescrypto.com';

// Faults queued on the doctor API (not the token endpoint). `times` covers the gate's retries.
export const FAULTS = [
  { id: 'none', label: 'No fault' },
  { id: 'status-503', label: 'Status 503 (retried, then server)', fault: { kind: 'status', status: 503, times: 10 } },
  {
    id: 'status-429',
    label: 'Status 429 with Retry-After: 1',
    fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, times: 10 },
  },
  { id: 'status-500', label: 'Status 500 (not retried)', fault: { kind: 'status', status: 500, times: 10 } },
  { id: 'delay', label: 'Delay: 1.5 s, then a normal answer', fault: { kind: 'delay', ms: 1500, times: 1 } },
  { id: 'hang', label: 'Hang (times out after the timeout)', fault: { kind: 'hang', times: 10 } },
  {
    id: 'redirect',
    label: 'Redirect to another origin',
    fault: { kind: 'redirect', status: 302, location: 'https://evil.example/?t={credential}', times: 10 },
  },
  {
    id: 'echo',
    label: 'Echoed credential (401 body repeats it)',
    fault: { kind: 'echo-credential', status: 401, times: 10 },
  },
  { id: 'malformed', label: 'Malformed body (cut-short JSON)', fault: { kind: 'malformed', times: 10 } },
  { id: 'drop', label: 'Dropped connection', fault: { kind: 'drop', times: 10 } },
];

/** The doctors each vendor's sandbox starts with, and a new one. */
export function doctorsFor(vendor) {
  if (vendor === 'prescrypto') {
    return [
      {
        id: 'elena',
        label: 'Elena Vidal (medic 110, exists)',
        name: 'Elena',
        lastname: 'Vidal',
        email: 'elena.vidal@clinic.example',
        medicToken: 'mt_110',
      },
      {
        id: 'medic7',
        label: 'Medic 7 (inactive: reactivated)',
        name: 'Medic',
        lastname: 'Seven',
        email: 'medic7@clinic.example',
        medicToken: 'mt_7',
      },
      { id: 'new', label: 'A new medic (created)' },
    ];
  }
  return [
    { id: 'doc-ana', label: 'Ana García (exists)', name: 'Ana', lastname: 'García' },
    { id: 'doc-marta', label: 'Marta Puig (soft-deleted: reactivated)', name: 'Marta', lastname: 'Puig' },
    { id: 'new', label: 'A new doctor (created)' },
  ];
}

/** Attributes (and properties) of the gate for the current choices; `fresh` numbers new doctors. */
export function gateSetup(config, fresh) {
  const picked = doctorsFor(config.vendor).find((d) => d.id === config.doctor) ?? doctorsFor(config.vendor)[0];
  const isNew = picked.id === 'new';
  const attributes = { vendor: config.vendor, mode: config.mode, timeout: '4000', retries: '1' };
  let medicToken;
  if (config.vendor === 'prescrypto') {
    Object.assign(attributes, {
      'api-base': PRESCRYPTO_API,
      'doctor-name': isNew ? 'Nora' : picked.name,
      'doctor-lastname': isNew ? `Playground ${fresh}` : picked.lastname,
      'doctor-email': isNew ? `nora.playground.${fresh}.${Date.now()}@clinic.example` : picked.email,
      'app-url': '/sandbox/app/prescrypto/?token={medicToken}&v2_redirect=true',
    });
    medicToken = picked.medicToken;
  } else {
    Object.assign(attributes, {
      'api-base': SPEAKNOSIS_API,
      'provider-id': '1001',
      'doctor-id': isNew ? `doc-playground-${fresh}-${Date.now().toString(36)}` : picked.id,
      'doctor-name': isNew ? 'Nora' : picked.name,
      'doctor-lastname': isNew ? `Playground ${fresh}` : picked.lastname,
      'speciality-id': '1',
      'doctor-lang': 'ES',
      'app-url': '/sandbox/app/speaknosis/#/pop-up/?view={view}&token={token}&doctorId={doctorId}',
    });
  }
  const label = config.vendor === 'prescrypto' ? 'Abrir Prescrypto' : 'Abrir Speaknosis';
  const lines = Object.entries(attributes).map(([name, value]) => `  ${name}="${value}"`);
  const html = [`<doctor-gate`, ...lines, `>${label}</doctor-gate>`].join('\n');
  return { attributes, medicToken, label, html };
}

const short = (value) => (typeof value === 'string' && value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** One timeline row for a `doctor-gate-*` event: its name and the fields worth reading. */
export function describeEvent(event) {
  const name = event.type.replace(/^doctor-gate-/, '');
  const d = event.detail ?? {};
  switch (name) {
    case 'state':
      return { name, details: `${d.previous} → ${d.state}` };
    case 'before-create':
      return { name, details: `doctor ${d.doctor?.id ?? d.doctor?.email ?? '?'}, reactivation ${d.reactivation}` };
    case 'provisioned': {
      const missing = d.readiness && !d.readiness.ready ? `, not ready: ${d.readiness.missing.join(', ')}` : '';
      return { name, details: `${d.outcome}, account ${d.account?.id ?? '?'}${missing}` };
    }
    case 'open':
      return { name, details: d.mode === 'iframe' ? 'in an iframe' : `in a ${d.mode}` };
    case 'close':
      return { name, details: `${d.mode}, reason ${d.reason}` };
    case 'message':
      return { name, details: `data.type ${short(d.data?.type ?? typeof d.data)}` };
    case 'error':
      return {
        name,
        kind: 'error',
        details:
          `${d.code} at ${d.step}` +
          (d.source ? `, source ${d.source}` : '') +
          (d.status !== undefined ? `, status ${d.status}` : '') +
          `, retryable ${d.retryable}: ${d.message}` +
          (d.runId ? ` (run ${d.runId})` : ''),
      };
    default:
      return { name, details: '' };
  }
}
