// Stand-in vendor app (browser script, served at /sandbox/app/app.js).
// Reads the launch parameters the way each vendor passes them, asks the sandbox who the
// credential belongs to, and reports back to the opener/parent with a pinned targetOrigin.
// Text goes in through textContent only (Trusted Types friendly); the credential is never displayed.

const vendorMatch = /\/sandbox\/app\/(speaknosis|prescrypto)\/?$/.exec(location.pathname);
const vendor = vendorMatch ? vendorMatch[1] : 'unknown';

// Speaknosis: `#/pop-up/?view=…&token=…`; Prescrypto deeplink: `?token=…&v2_redirect=true`.
const hash = location.hash;
const fragment = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
const query = new URLSearchParams(location.search);
const launch = vendor === 'prescrypto' ? query : fragment;

const token = launch.get('token') ?? '';
const scheme = vendor === 'prescrypto' ? 'Token' : 'Bearer';
const receivedDoctorId = vendor === 'speaknosis' ? launch.get('doctorId') : null;

/** @param {string} name */
const field = (name) => /** @type {HTMLElement} */ (document.querySelector(`[data-field="${name}"]`));

/**
 * @param {string} name @param {string} text @param {'ok' | 'warn' | 'bad'} [tone]
 */
function show(name, text, tone) {
  const el = field(name);
  el.textContent = text;
  el.className = tone ?? '';
}

/** The `host` parameter when it is a valid origin, else undefined. */
function hostOrigin() {
  const host = fragment.get('host') ?? query.get('host');
  if (host) {
    try {
      const origin = new URL(host).origin;
      if (origin !== 'null') return origin;
    } catch {
      // an unusable host counts as none
    }
  }
  return undefined;
}

/** Whether `target` is on our own origin (another origin's location cannot be read). */
function sameOrigin(target) {
  try {
    return target.location.origin === location.origin;
  } catch {
    return false;
  }
}

/** @returns {[string, Window][]} */
function recipients() {
  /** @type {[string, Window][]} */
  const list = [];
  if (window.parent !== window) list.push(['parent', window.parent]);
  if (window.opener) list.push(['opener', window.opener]);
  return list;
}

/** @param {Record<string, unknown>} message */
function post(message) {
  const host = hostOrigin();
  // Never '*': to `host` when given; else only to a window of our own origin (posting to another
  // origin's window with our origin as target fails, and the browser logs it on every opening).
  const origin = host ?? location.origin;
  const targets = recipients();
  const line = document.createElement('li');
  if (targets.length === 0) {
    line.textContent = `${message.type}: no parent or opener to post to`;
  } else {
    const sent = [];
    for (const [name, target] of targets) {
      if (!host && !sameOrigin(target)) {
        sent.push(`${name} skipped (another origin: add host=<origin>)`);
        continue;
      }
      try {
        target.postMessage(message, origin);
        sent.push(name);
      } catch (err) {
        sent.push(`${name} failed (${err instanceof Error ? err.name : 'error'})`);
      }
    }
    line.textContent = `${message.type} → ${sent.join(', ')} @ ${origin}`;
  }
  field('posted').append(line);
}

/**
 * @returns {Promise<{ exists: boolean, active?: boolean, doctorId?: string | number | null,
 *   name?: string | null, providerId?: string | null, error?: string } | null>}
 */
async function whoami() {
  if (!token) return null;
  const url = new URL('/sandbox/app-api/whoami', location.origin);
  url.searchParams.set('vendor', vendor);
  if (receivedDoctorId) url.searchParams.set('doctorId', receivedDoctorId);
  // The credential travels in a header, never in this request's URL.
  const response = await fetch(url, { headers: { Authorization: `${scheme} ${token}` }, cache: 'no-store' });
  return response.json();
}

async function main() {
  field('vendor-title').textContent = vendor === 'unknown' ? 'vendor' : vendor;
  show('vendor', vendor, vendor === 'unknown' ? 'bad' : undefined);
  show(
    'view',
    vendor === 'prescrypto'
      ? `deeplink${query.get('v2_redirect') === 'true' ? ' (v2_redirect=true)' : ''}`
      : (launch.get('view') ?? '(none)'),
  );
  show('credential', token ? `${scheme} credential received (not shown)` : 'none received', token ? 'ok' : 'bad');
  const extra = ['appointmentId', 'reportExampleId', 'clinic']
    .filter((name) => launch.get(name))
    .map((name) => `${name}=${launch.get(name)}`);
  show('extra', extra.length ? extra.join(', ') : '(none)');
  show('target', hostOrigin() ?? `${location.origin} (a window of another origin: add host=<origin>)`);
  show('doctor', vendor === 'speaknosis' ? (receivedDoctorId ?? '(none)') : 'resolved from the medic token…');

  let doctorId = receivedDoctorId;
  let exists = false;
  try {
    const who = await whoami();
    if (!who || who.error) {
      show('store', who ? (who.error ?? 'unknown') : 'no credential: cannot check', 'bad');
      if (vendor === 'prescrypto') show('doctor', '(unknown)', 'bad');
    } else {
      exists = who.exists === true;
      if (vendor === 'prescrypto') {
        doctorId = /** @type {any} */ (who.doctorId);
        show('doctor', `medic ${who.doctorId}${who.name ? ` — ${who.name}` : ''}`);
      } else if (who.name) {
        show('doctor', `${receivedDoctorId} — ${who.name}`);
      }
      if (!exists) show('store', 'user does not exist', 'bad');
      else if (who.active)
        show('store', `user exists and is active${who.providerId ? ` (provider ${who.providerId})` : ''}`, 'ok');
      else show('store', 'user exists but is inactive (deleted)', 'warn');
    }
  } catch (err) {
    show('store', `check failed: ${err instanceof Error ? err.message : String(err)}`, 'bad');
  }

  // Whether the embedding page's iframe `allow` reached this origin (the scribe needs the microphone).
  const microphone = document.featurePolicy?.allowsFeature?.('microphone') ?? null;
  post({ type: 'sandbox-app:ready', vendor, doctorId, exists, microphone });
}

document.querySelector('[data-action="ping"]')?.addEventListener('click', () => {
  post({ type: 'sandbox-app:ping', at: Date.now() });
});

main();
