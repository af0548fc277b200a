#!/usr/bin/env node
// Standalone sandbox with CORS on, for the cross-origin case real pages have:
//   node sandbox/cli.js --port 8787 [--host 127.0.0.1] [--latency 100]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { FIXTURE_CREDENTIALS, createSandbox } from './index.js';

const USAGE = `Usage: node sandbox/cli.js [--port 8787] [--host 127.0.0.1] [--latency 0]

Runs the doctor-gate vendor sandbox on its own origin with CORS enabled.
  --port     TCP port (0 picks a free one)             default 8787
  --host     interface to listen on                    default 127.0.0.1
  --latency  milliseconds added before vendor answers  default 0`;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`sandbox: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** @returns {{ port: string, host: string, latency: string, help: boolean }} */
function readArgs() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', short: 'p', default: '8787' },
        host: { type: 'string', short: 'H', default: '127.0.0.1' },
        latency: { type: 'string', short: 'l', default: '0' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    return fail(/** @type {Error} */ (err).message);
  }
}

const args = readArgs();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --port: ${args.port}`);
const latencyMs = Number(args.latency);
if (!Number.isFinite(latencyMs) || latencyMs < 0) fail(`invalid --latency: ${args.latency}`);

/** @returns {import('./index.js').Sandbox} */
function makeSandbox() {
  try {
    return createSandbox({ cors: true, latencyMs });
  } catch (err) {
    return fail(/** @type {Error} */ (err).message);
  }
}
const sandbox = makeSandbox();

const server = createServer((req, res) => {
  sandbox.handle(req, res).then((handled) => {
    if (handled) return;
    const location = '/sandbox/';
    if (req.url === '/' || req.url === '/sandbox') {
      res.writeHead(302, { Location: location, 'Content-Length': '0' });
      res.end();
      return;
    }
    const body = JSON.stringify({ error: 'not found', hint: `the sandbox lives under ${location}` });
    res.writeHead(404, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  });
});

server.on('error', (err) => {
  console.error(`sandbox: cannot listen on ${args.host}:${port}: ${err.message}`);
  process.exit(1);
});

server.listen(port, args.host, () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const hostForUrl = args.host.includes(':') ? `[${args.host}]` : args.host;
  const base = `http://${hostForUrl}:${actualPort}`;
  const speaknosisTokens = Object.entries(FIXTURE_CREDENTIALS.speaknosis)
    .map(([token, providers]) => `    Bearer ${token}  → providers ${providers.join(', ')}`)
    .join('\n');
  const prescryptoKeys = Object.entries(FIXTURE_CREDENTIALS.prescrypto)
    .map(([key, { hospitals }]) => `    Token ${key}  → admin of hospitals [${hospitals.join(', ')}]`)
    .join('\n');
  console.log(`doctor-gate sandbox listening on ${base}/sandbox/  (CORS on, latency ${latencyMs} ms)

  Speaknosis API   ${base}/sandbox/speaknosis/v1/health
${speaknosisTokens}
    provider 1001: doc-ana, doc-john (active), doc-marta (deleted)
  Prescrypto API   ${base}/sandbox/prescrypto   (/api/v2/medics/)
${prescryptoKeys}
    pk_demo_key owns medics 1..120 (medic tokens mt_<id>); taken@elsewhere.example belongs to pk_other_key
  Stand-in apps    ${base}/sandbox/app/speaknosis   ${base}/sandbox/app/prescrypto
  Control          ${base}/sandbox/_control/{reset,latency,faults,log,seed,state}

These are demo credentials for the local sandbox only. Ctrl+C to stop.`);
});

let stopping = false;
/** @param {NodeJS.Signals} signal */
function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\nsandbox: ${signal}, stopping`);
  server.close(() => process.exit(0));
  // Hung (fault "hang") and keep-alive connections would keep close() waiting.
  server.closeAllConnections();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
