// (d) provisionDoctors (the core, in Node) against a one-by-one loop of provisionDoctor calls,
// sequential like the vendor's reference flow, for new doctors, against the same sandbox.
import { API_BASE, PROVIDER, TOKEN, countRequests, doctorData, uniqueId } from './util.js';

/**
 * @param {{ server: any, core: any }} env
 * @param {{ sizes: number[], sequentialLimit: number }} options one-by-one runs longer than
 *   `sequentialLimit` doctors are measured on that many and scaled (flagged as estimates).
 */
export async function measureBatch({ server, core }, { sizes, sequentialLimit }) {
  const client = core.createClient('speaknosis', {
    apiBase: `${server.origin}${API_BASE}`,
    token: TOKEN,
    providerId: PROVIDER,
  });
  const rows = [];
  for (const n of sizes) {
    const batch = await timed(server, async () => {
      const results = await core.provisionDoctors(
        client,
        Array.from({ length: n }, () => doctorData(uniqueId(`batch${n}`))),
      );
      return results.filter((r) => r.outcome !== 'created').length;
    });

    const measured = Math.min(n, sequentialLimit);
    const oneByOne = await timed(server, async () => {
      let failed = 0;
      for (let i = 0; i < measured; i++) {
        const result = await core.provisionDoctor(client, doctorData(uniqueId(`seq${n}`))).catch(() => null);
        if (result?.outcome !== 'created') failed++;
      }
      return failed;
    });
    const scale = n / measured;
    rows.push({
      n,
      batch,
      oneByOne: {
        ms: oneByOne.ms * scale,
        requests: Math.round(oneByOne.requests.total * scale),
        failed: oneByOne.failed,
        estimated: measured < n ? measured : 0,
      },
    });
  }
  return rows;
}

async function timed(server, run) {
  await server.clearLog();
  const start = performance.now();
  const failed = await run();
  const ms = performance.now() - start;
  return { ms, failed, requests: countRequests(await server.requests()) };
}
