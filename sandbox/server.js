// The sandbox on its own origin with CORS on, for the cross-origin case real pages have:
// `npx doctor-gate sandbox` and `node sandbox/cli.js` both run `sandboxMain`.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { fixtures } from './fixtures.js';
import { parseOrigin } from './http.js';
import { createSandbox } from './index.js';
import { TOKEN_PATH } from './speaknosis.js';
import { FIXTURE_CLIENTS, FIXTURE_CREDENTIALS } from './store.js';

/** @param {string} command */
const usage = (command) => `Usage: ${command} [--port 8787] [--host 127.0.0.1] [--latency 0] [--allow-origin URL]…

Runs the doctor-gate vendor sandbox (Speaknosis and Prescrypto stand-ins) with CORS enabled.
  --port          TCP port (0 picks a free one)             default 8787
  --host          interface to listen on                    default 127.0.0.1
  --latency       milliseconds added before vendor answers  default 0
  --allow-origin  an origin whose pages may use the control API besides this machine's
                  (http(s)://localhost, 127.x.x.x, [::1]); repeat for more
The vendor APIs answer pages of any origin; the control API (/sandbox/_control/) only these.
Ctrl-C (SIGINT) or SIGTERM stops it.`;

/**
 * @typedef {{ write(text: string): unknown }} Stream
 * @param {readonly string[]} argv arguments after the command name
 * @param {{ command?: string, stdout?: Stream, stderr?: Stream }} [io]
 * @returns {Promise<number>} the exit code: 0 once stopped by a signal, 1 cannot listen, 2 bad usage
 */
export async function sandboxMain(argv, io = {}) {
  const { command = 'doctor-gate sandbox', stdout = process.stdout, stderr = process.stderr } = io;
  const fail = (/** @type {string} */ message) => {
    stderr.write(`${command}: ${message}\n\n${usage(command)}\n`);
    return 2;
  };
  /** @type {{ port: string, host: string, latency: string, 'allow-origin': string[], help: boolean }} */
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string', short: 'p', default: '8787' },
        host: { type: 'string', short: 'H', default: '127.0.0.1' },
        latency: { type: 'string', short: 'l', default: '0' },
        'allow-origin': { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return fail(/** @type {Error} */ (err).message);
  }
  if (args.help) {
    stdout.write(`${usage(command)}\n`);
    return 0;
  }
  const port = Number(args.port);
  if (!/^\d+$/.test(args.port) || port > 65535) return fail(`invalid --port: ${args.port}`);
  const badOrigin = args['allow-origin'].find((origin) => parseOrigin(origin) === null);
  if (badOrigin !== undefined) return fail(`invalid --allow-origin: ${badOrigin} (an origin: https://host[:port])`);
  const latencyMs = Number(args.latency);
  /** @type {ReturnType<typeof createSandbox>} */
  let sandbox;
  try {
    if (args.latency.trim() === '' || !Number.isFinite(latencyMs))
      throw new Error(`invalid --latency: ${args.latency}`);
    sandbox = createSandbox({ cors: true, latencyMs, allowOrigins: args['allow-origin'] });
  } catch (err) {
    return fail(/** @type {Error} */ (err).message);
  }

  const server = createServer(async (req, res) => {
    if (await sandbox.handle(req, res)) return;
    if (req.url === '/' || req.url === '/sandbox') {
      res.writeHead(302, { Location: '/sandbox/', 'Content-Length': '0' });
      res.end();
      return;
    }
    const body = JSON.stringify({ error: 'not found', hint: 'the sandbox lives under /sandbox/' });
    res.writeHead(404, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  const listening = await new Promise((resolve) => {
    server.once('error', (err) => resolve(err));
    server.listen(port, args.host, () => resolve(null));
  });
  if (listening) {
    stderr.write(`${command}: cannot listen on ${args.host}:${port}: ${/** @type {Error} */ (listening).message}\n`);
    return 1;
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const hostForUrl = args.host.includes(':') ? `[${args.host}]` : args.host;
  stdout.write(`${banner(`http://${hostForUrl}:${actualPort}`, latencyMs, args['allow-origin'])}\n`);

  return new Promise((resolve) => {
    const stop = (/** @type {NodeJS.Signals} */ signal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stdout.write(`\n${command}: ${signal}, stopping\n`);
      server.close(() => resolve(0));
      // Hung (fault "hang") and keep-alive connections would keep close() waiting.
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** What the running sandbox prints: its base URLs and the fixture credentials. */
function banner(/** @type {string} */ base, /** @type {number} */ latencyMs, /** @type {string[]} */ allowOrigins) {
  const controlFrom = ['pages on this machine', ...allowOrigins.map((origin) => new URL(origin).origin)].join(', ');
  const tokens = Object.entries(FIXTURE_CREDENTIALS.speaknosis)
    .map(([token, providers]) => `    Bearer ${token}  → providers ${providers.join(', ')}`)
    .join('\n');
  const clients = Object.entries(FIXTURE_CLIENTS)
    .map(
      ([id, { secret, providers }]) =>
        `    client_id=${id} client_secret=${secret}  → providers ${providers.join(', ')}`,
    )
    .join('\n');
  const keys = Object.entries(FIXTURE_CREDENTIALS.prescrypto)
    .map(([key, { hospitals }]) => `    Token ${key}  → admin of hospitals [${hospitals.join(', ')}]`)
    .join('\n');
  const doctors = fixtures.speaknosis.doctors.map((d) => `${d.id}${d.active ? '' : ' (deleted)'}`).join(', ');
  return `doctor-gate sandbox listening on ${base}/sandbox/  (CORS on, latency ${latencyMs} ms)

  Speaknosis API   ${base}/sandbox/speaknosis/v1/health
${tokens}
    provider ${fixtures.speaknosis.providerId}: ${doctors}
  Speaknosis token ${base}/sandbox/speaknosis${TOKEN_PATH}   (grant_type=client_credentials)
${clients}
  Prescrypto API   ${base}/sandbox/prescrypto   (/api/v2/medics/)
${keys}
    pk_demo_key owns medics 1..120 (medic tokens mt_<id>); taken@elsewhere.example belongs to pk_other_key
  SMART EHR        ${base}${fixtures.smart.path}   (OpenID issuer; POST /token practitioner=<id>)
    client_id=${fixtures.smart.clientId}; practitioners ${fixtures.smart.practitioners.map((p) => p.id).join(', ')}
  Stand-in apps    ${base}/sandbox/app/speaknosis   ${base}/sandbox/app/prescrypto
  Control          ${base}/sandbox/_control/{reset,latency,faults,log,seed,state,expire-tokens,held,release}
                   JSON requests from ${controlFrom} only

These are demo credentials for the local sandbox only. Ctrl+C to stop.`;
}
