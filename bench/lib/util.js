// Small helpers shared by the bench sections.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The q-quantile of numbers (linear interpolation); NaN when empty. */
export function quantile(values, q) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const low = Math.floor(pos);
  const high = Math.ceil(pos);
  return sorted[low] + (sorted[high] - sorted[low]) * (pos - low);
}
export const median = (values) => quantile(values, 0.5);

let counter = 0;
const runTag = Date.now().toString(36);
/** A doctor id no earlier run of this process used. */
export const uniqueId = (prefix) => `bench-${prefix}-${runTag}-${(counter++).toString(36)}`;

/** What the gate's `app-url` template gives for a doctor, filled the way the gate fills it. */
export const APP_TEMPLATE = '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}';
export const API_BASE = '/sandbox/speaknosis/v1/health';
/** Where the bench mounts server mode's handler (`doctor-gate/server`). */
export const SERVER_PATH = '/ehr/doctor-gate';
export const TOKEN = 'sk_demo_token';
export const PROVIDER = '1001';
export const launchUrl = (doctorId) =>
  APP_TEMPLATE.replace(/\{(\w+)\}/g, (_, name) =>
    encodeURIComponent({ view: 'analysis', token: TOKEN, doctorId }[name] ?? ''),
  );

/** The doctor every bench flow sends (the seed's example body). */
export const doctorData = (id) => ({ id, name: 'Bench', lastname: 'Doctor', specialityId: 1, lang: 'ES' });

/** Counts vendor requests by method. */
export function countRequests(entries) {
  const count = { GET: 0, POST: 0, other: 0, total: entries.length };
  for (const entry of entries) {
    if (entry.method === 'GET' || entry.method === 'POST') count[entry.method]++;
    else count.other++;
  }
  return count;
}

export const fmtMs = (ms, digits = 0) => (Number.isFinite(ms) ? `${ms.toFixed(digits)} ms` : 'n/a');
export const fmtRatio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)} ×` : 'n/a');
export const fmtInt = (n) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'n/a');

/** Progress lines go to stderr, so stdout is only the table. */
export const progress = (line) => process.stderr.write(`${line}\n`);
