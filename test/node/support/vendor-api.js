// The sandbox's vendor APIs as the sandbox suites call them: paths, fixture credentials, and
// requests that answer `{ res, status, body }`.
import { JSON_HEADERS, sandboxControl } from './sandbox.js';

export const SK = '/sandbox/speaknosis/v1/health';
export const PX = '/sandbox/prescrypto/api/v2/medics/';
export const SK_AUTH = Object.freeze({ Authorization: 'Bearer sk_demo_token' });
export const PX_AUTH = Object.freeze({ Authorization: 'Token pk_demo_key' });

/**
 * A Speaknosis doctor to POST.
 * @param {Partial<{ id: string, name: string, lastname: string, specialityId: unknown, lang: unknown, email: unknown }>} [over]
 */
export const user = (over = {}) => ({
  id: 'doc-new',
  name: 'Nora',
  lastname: 'Díaz',
  specialityId: 1,
  lang: 'ES',
  ...over,
});

/** Requests to the sandbox at `origin` (read at each call: pass a getter when it is set later). */
export function vendorApi(/** @type {string} */ origin) {
  /** @param {string} path @param {RequestInit} [init] */
  const call = (path, init) => fetch(origin + path, init);
  /** @param {string} path @param {RequestInit} [init] */
  const callJson = async (path, init) => {
    const res = await call(path, init);
    return { res, status: res.status, body: await res.json() };
  };
  const { state } = sandboxControl(origin);
  return {
    call,
    callJson,
    /** A control request whose status the test checks: `{ res, status, body }`, never a throw. */
    control: (/** @type {string} */ path, /** @type {unknown} */ body, method = 'POST') =>
      callJson(`/sandbox/_control/${path}`, {
        method,
        headers: JSON_HEADERS,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    skState: (/** @type {string} */ providerId, /** @type {string} */ id) =>
      state({ vendor: 'speaknosis', providerId, id }),
    pxState: (/** @type {string} */ email) => state({ vendor: 'prescrypto', email }),
    /** @param {unknown} users a string is sent as is @param {string} [provider] @param {Record<string, string>} [auth] */
    postUsers: (users, provider = '1001', auth = SK_AUTH) =>
      callJson(`${SK}/provider/${provider}/user`, {
        method: 'POST',
        headers: { ...auth, ...JSON_HEADERS },
        body: typeof users === 'string' ? users : JSON.stringify(users),
      }),
    /** @param {Record<string, unknown>} medic @param {Record<string, string>} [auth] */
    postMedic: (medic, auth = PX_AUTH) =>
      callJson(PX, { method: 'POST', headers: { ...auth, ...JSON_HEADERS }, body: JSON.stringify(medic) }),
  };
}

/**
 * Whether `request()` is answered while a Speaknosis request sent first to the sandbox at `origin`
 * is still kept by its latency (set it well above any machine's slowness): an order, not a wall-clock
 * bound. The vendor request is then abandoned.
 * @param {string} origin @param {() => Promise<unknown>} request
 */
export async function answeredBeforeVendor(origin, request) {
  const controller = new AbortController();
  const vendor = fetch(`${origin}${SK}/provider/1001/user/doc-ana`, {
    headers: SK_AUTH,
    signal: controller.signal,
  }).then(
    () => 'vendor',
    () => 'vendor',
  );
  try {
    return (await Promise.race([request().then(() => 'request'), vendor])) === 'request';
  } finally {
    controller.abort();
    await vendor;
  }
}
