import { DoctorGateError } from '../core/index.js';

// AES-256-GCM with Web Crypto (global in Node 20): a random 96-bit IV per value, the 128-bit tag
// checked on every read, and the row's key as additional data, so a value copied into another
// doctor's row does not decrypt.
const PREFIX = 'aes256gcm:';
const IV_BYTES = 12;

export interface Cipher {
  encrypt(plaintext: string, context: string): Promise<string>;
  decrypt(stored: string, context: string): Promise<string>;
}

// btoa/atob rather than Buffer: the handler and stores also run on Deno, Bun and edge runtimes.
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
const utf8 = new TextEncoder();

/** Whether a stored value is one `aesGcm` wrote. */
export const isEncrypted = (stored: string) => stored.startsWith(PREFIX);

/** An AES-256-GCM cipher for a 32-byte key; anything else is a `config` error. */
export function aesGcm(key: Uint8Array): Cipher {
  if (!(key instanceof Uint8Array) || key.byteLength !== 32) {
    throw new DoctorGateError('config', 'encryptionKey must be 32 bytes (e.g. Buffer.from(base64Key, "base64"))', {
      step: 'config',
      fields: ['encryptionKey'],
    });
  }
  // Copied, so a caller that later overwrites its buffer does not change the key in use.
  const keyPromise = crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    async encrypt(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: utf8.encode(context) },
        await keyPromise,
        utf8.encode(plaintext),
      );
      return `${PREFIX}${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
    },
    async decrypt(stored, context) {
      const [iv, sealed] = stored.slice(PREFIX.length).split('.');
      try {
        if (!isEncrypted(stored) || !iv || !sealed) throw new Error('malformed');
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: fromBase64(iv), additionalData: utf8.encode(context) },
          await keyPromise,
          fromBase64(sealed),
        );
        return new TextDecoder().decode(plain);
      } catch {
        // Never the stored value nor a plaintext in the message.
        throw new DoctorGateError(
          'config',
          'A stored medic token could not be decrypted: wrong encryptionKey, or the value was altered or moved',
          { step: 'open', fields: ['encryptionKey'] },
        );
      }
    },
  };
}
