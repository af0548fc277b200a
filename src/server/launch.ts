import { DoctorGateError, type Account, type Doctor, type GateClient } from '../core/index.js';
import { apiKey, type MedicTokenStore } from './medic-tokens.js';

/** What opening the vendor app needs, and nothing else. */
export type Launch = { token: string; doctorId: string } | { medicToken: string };

/**
 * What opening needs: the vendor's own launch values (Speaknosis: the token in use; Prescrypto:
 * the medic token, saved when the medic is created and read back for an existing medic).
 */
export async function launchFor(
  client: GateClient,
  doctor: Doctor,
  account: Account,
  medicTokens: MedicTokenStore | undefined,
): Promise<Launch> {
  const { vendor } = client;
  let medicToken: string | undefined;
  if (medicTokens && vendor.appUrl.includes('{medicToken}')) {
    const key = {
      vendor: vendor.name,
      api: apiKey(client.http.base.href),
      doctor: String(account['id'] ?? vendor.key(doctor)),
    };
    const created = account['token'];
    if (typeof created === 'string' && created) {
      await storeCall(() => medicTokens.set(key, created), 'saving the new medic token failed (the medic exists now)');
      medicToken = created;
    } else {
      medicToken = await storeCall(() => medicTokens.get(key), 'reading the saved medic token failed');
    }
    if (!medicToken) {
      throw new DoctorGateError(
        'config',
        `No saved ${vendor.label} medic token for medic ${key.doctor}: the vendor returns it only when it creates the medic, so a medic created elsewhere needs medicTokens.set(…) with the token saved then`,
        { step: 'open', source: 'server', fields: ['medicTokens'] },
      );
    }
  }
  // Only the values the vendor's launch URL takes come back (Prescrypto's ignore the API key).
  const values = vendor.launchValues({ credential: await client.http.credential(), account, medicToken });
  // The launch carries the doctor id only where the vendor's launch URL takes it.
  const launch = vendor.appUrl.includes('{doctorId}') ? { ...values, doctorId: String(doctor.id) } : values;
  return launch as Launch;
}

/** A medic-token store call; its own failure (a database error) is reported as `server`, without its text. */
async function storeCall<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DoctorGateError) throw error;
    throw new DoctorGateError('server', `medicTokens: ${what}`, {
      step: 'open',
      status: 500,
      source: 'server',
      cause: error,
    });
  }
}
