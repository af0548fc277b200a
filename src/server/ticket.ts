import type { Found } from '../core/index.js';

// A check ticket: what the handler's own check found for one doctor, signed with HMAC-SHA-256 so
// that a later request (to this instance or another that shares the secret) can trust it without
// asking the vendor again, and bound to that doctor so it is worth nothing for anyone else.

/** A ticket younger than this stands in for a vendor check. */
export const TICKET_FRESH_MS = 30_000;
/** A ticket younger than this still names the doctor the page asked about before a creation. */
export const TICKET_CONSENT_MS = 10 * 60_000;

/** What a ticket says; `doctor` is the handler's key for the session's doctor, never the page's. */
export interface TicketClaims {
  /** vendor, API base and scope: a ticket of another deployment never counts. */
  where: string;
  doctor: string;
  found: boolean;
  active: boolean;
  /** The account's id, when the check found one (Prescrypto: the medic to reactivate or launch). */
  account?: string | number;
  /** When it was issued (ms since the epoch). */
  at: number;
}

/** A ticket that verified for this request's doctor: `fresh` when it may replace the vendor check. */
export interface VerifiedTicket {
  found: Found | null;
  fresh: boolean;
}

const encoder = new TextEncoder();

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const fromBase64url = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** A random secret for this process: tickets then hold within it (give `secret` to share them across instances). */
const processSecret = globalThis.crypto.getRandomValues(new Uint8Array(32));

/** Signs and verifies tickets with `secret` (at least 32 bytes or characters), or this process's random one. */
export function ticketSigner(secret?: string | Uint8Array) {
  const raw = Uint8Array.from(
    secret === undefined ? processSecret : typeof secret === 'string' ? encoder.encode(secret) : secret,
  );
  const key = globalThis.crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);

  async function sign(claims: Omit<TicketClaims, 'at'>, now = Date.now()): Promise<string> {
    const payload = base64url(encoder.encode(JSON.stringify({ ...claims, at: now })));
    const mac = await globalThis.crypto.subtle.sign('HMAC', await key, encoder.encode(payload));
    return `${payload}.${base64url(new Uint8Array(mac))}`;
  }

  /** The ticket's finding for `doctor` at `where`, or undefined (forged, malformed, too old, someone else's). */
  async function verify(ticket: unknown, where: string, doctor: string, now = Date.now()) {
    if (typeof ticket !== 'string' || ticket.length > 2048) return undefined;
    const [payload, mac, extra] = ticket.split('.');
    if (!payload || !mac || extra !== undefined) return undefined;
    let claims: TicketClaims;
    try {
      const valid = await globalThis.crypto.subtle.verify(
        'HMAC',
        await key,
        fromBase64url(mac),
        encoder.encode(payload),
      );
      if (!valid) return undefined;
      claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload))) as TicketClaims;
    } catch {
      return undefined;
    }
    const age = now - claims.at;
    if (claims.where !== where || claims.doctor !== doctor || !(age >= 0 && age < TICKET_CONSENT_MS)) return undefined;
    const account = claims.account === undefined ? {} : { id: claims.account };
    const verified: VerifiedTicket = {
      found: claims.found ? { active: claims.active, account } : null,
      fresh: age < TICKET_FRESH_MS,
    };
    return verified;
  }

  return { sign, verify };
}

export type TicketSigner = ReturnType<typeof ticketSigner>;
