import { DoctorGateError } from '../core/index.js';
import { aesGcm, isEncrypted, type Cipher } from './cipher.js';

/** Whose medic token: the vendor, its API base URL and the medic's id there. */
export interface MedicTokenKey {
  vendor: string;
  api: string;
  doctor: string;
}

/** Where the handler keeps Prescrypto medic tokens (returned only when the medic is created). */
export interface MedicTokenStore {
  get(key: MedicTokenKey): Promise<string | undefined>;
  set(key: MedicTokenKey, token: string): Promise<void>;
  delete(key: MedicTokenKey): Promise<void>;
}

/**
 * The API base as a URL, so that one base written two ways is one key: host case, a default port
 * and a trailing slash make no difference (`https://X.example:443/api` is `https://x.example/api/`).
 */
export function apiKey(api: string): string {
  try {
    const url = new URL(api);
    url.hash = '';
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url.href;
  } catch {
    return api;
  }
}

/** The key with its API base in the one form stores compare. */
const normalized = (key: MedicTokenKey): MedicTokenKey => ({ ...key, api: apiKey(key.api) });

const keyText = (key: MedicTokenKey) => JSON.stringify([key.vendor, apiKey(key.api), key.doctor]);

/** Tokens in this process's memory: for development and tests (lost on restart). */
export function memoryMedicTokens(): MedicTokenStore {
  const tokens = new Map<string, string>();
  return {
    get: async (key) => tokens.get(keyText(key)),
    set: async (key, token) => void tokens.set(keyText(key), token),
    delete: async (key) => void tokens.delete(keyText(key)),
  };
}

/** What `sqlMedicTokens` needs of a client: `pg`'s `Client`/`Pool` and PGlite both have it. */
export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface SqlMedicTokensOptions {
  /** Table name, optionally schema-qualified (`schema.table`); default `doctor_gate_medic_tokens`. */
  table?: string;
  /** 32 bytes: tokens are then stored AES-256-GCM encrypted (random IV per value, tag checked). */
  encryptionKey?: Uint8Array;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The table name, each part checked and double-quoted: it is spliced into SQL, so nothing else passes. */
function quotedTable(table: string): string {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new DoctorGateError('config', 'sqlMedicTokens: table must be letters, digits and _ (schema.table allowed)', {
      step: 'config',
      fields: ['table'],
    });
  }
  return parts.map((part) => `"${part}"`).join('.');
}

/**
 * Medic tokens in a SQL table through any `pg`-compatible client (`query(text, params)` with
 * `$1` placeholders, answering `{ rows }`). The table is created when missing. With an
 * `encryptionKey`, values are encrypted at rest and bound to their row.
 */
export function sqlMedicTokens(client: SqlClient, options: SqlMedicTokensOptions = {}): MedicTokenStore {
  if (!client || typeof client.query !== 'function') {
    throw new DoctorGateError('config', 'sqlMedicTokens needs a client with query(text, params)', {
      step: 'config',
      fields: ['client'],
    });
  }
  const table = quotedTable(options.table ?? 'doctor_gate_medic_tokens');
  const cipher: Cipher | undefined = options.encryptionKey === undefined ? undefined : aesGcm(options.encryptionKey);
  let ready: Promise<unknown> | undefined;
  const ensureTable = () => {
    ready ??= client
      .query(
        `CREATE TABLE IF NOT EXISTS ${table} (
          vendor text NOT NULL,
          api text NOT NULL,
          doctor text NOT NULL,
          token text NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (vendor, api, doctor)
        )`,
      )
      .catch((error: unknown) => {
        // A failed creation is tried again on the next call rather than remembered.
        ready = undefined;
        throw error;
      });
    return ready;
  };
  const params = (key: MedicTokenKey) => {
    const { vendor, api, doctor } = normalized(key);
    return [vendor, api, doctor];
  };

  return {
    async get(key) {
      await ensureTable();
      const { rows } = await client.query(
        `SELECT token FROM ${table} WHERE vendor = $1 AND api = $2 AND doctor = $3`,
        params(key),
      );
      const stored = rows[0]?.['token'];
      if (typeof stored !== 'string') return undefined;
      if (cipher) return cipher.decrypt(stored, keyText(key));
      if (isEncrypted(stored)) {
        throw new DoctorGateError(
          'config',
          'A stored medic token is encrypted: give sqlMedicTokens its encryptionKey',
          {
            step: 'open',
            fields: ['encryptionKey'],
          },
        );
      }
      return stored;
    },
    async set(key, token) {
      await ensureTable();
      const stored = cipher ? await cipher.encrypt(token, keyText(key)) : token;
      await client.query(
        `INSERT INTO ${table} (vendor, api, doctor, token) VALUES ($1, $2, $3, $4)
         ON CONFLICT (vendor, api, doctor) DO UPDATE SET token = EXCLUDED.token, updated_at = now()`,
        [...params(key), stored],
      );
    },
    async delete(key) {
      await ensureTable();
      await client.query(`DELETE FROM ${table} WHERE vendor = $1 AND api = $2 AND doctor = $3`, params(key));
    },
  };
}
