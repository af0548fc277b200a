#!/usr/bin/env node
// node bench/reconcile.js — reconcile of a 1,000-doctor roster against the sandbox (100 ms per
// vendor request), versus doing it doctor by doctor (check, then create or deactivate, in turn).
// Node only (no browser). Writes the "(f) Reconcile" section of bench/RESULTS.md unless --no-write.
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createSandbox } from '../sandbox/index.js';
import * as core from '../dist/core.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '100' },
    sample: { type: 'string', default: '100' },
    'no-write': { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const LATENCY = Number(values.latency);
const SAMPLE = Math.min(N, Number(values.sample));
const RESULTS = new URL('RESULTS.md', import.meta.url);

const sandbox = createSandbox();
const server = createServer((req, res) => void sandbox.handle(req, res).then((ok) => ok || res.writeHead(404).end()));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const control = (path, body) =>
  fetch(`${origin}/sandbox/_control/${path}`, {
    method: body === undefined ? 'DELETE' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
await control('latency', { ms: LATENCY });

let requests = 0;
const counted = (input, init) => (requests++, fetch(input, init));
const speaknosis = () =>
  core.createClient('speaknosis', {
    apiBase: `${origin}/sandbox/speaknosis/v1/health`,
    providerId: '1001',
    token: 'sk_demo_token',
    fetch: counted,
  });
const prescrypto = () =>
  core.createClient('prescrypto', { apiBase: `${origin}/sandbox/prescrypto`, token: 'pk_demo_key', fetch: counted });

async function timed(run) {
  requests = 0;
  const start = performance.now();
  const detail = await run();
  return { ms: performance.now() - start, requests, detail };
}

/** Doctor by doctor, as a script without reconcile would: check each, then act on it, one at a time. */
async function oneByOne(client, rows, count) {
  for (const row of rows.slice(0, count)) {
    if (row.active === false) await core.deprovisionDoctor(client, row.id);
    else {
      const { active: _active, ...doctor } = row;
      await core.provisionDoctor(client, doctor);
    }
  }
}

const run = Date.now().toString(36);
const doctor = (k, tag) => ({
  id: `rc-${run}-${tag}-${k}`,
  name: 'Doc',
  lastname: `N${k}`,
  specialityId: 1,
  lang: 'ES',
});
const rows = [];
const log = (line) => (console.log(line), rows.push(line));

// Speaknosis: a new roster, then the same roster again, then 10 % of it changed.
const roster = Array.from({ length: N }, (_, k) => doctor(k, 'a'));
const first = await timed(() => core.reconcileDoctors(speaknosis(), roster));
const again = await timed(() => core.reconcileDoctors(speaknosis(), roster));
// Before the roster changes, so that doctor by doctor also finds every doctor as it left them.
const baselineSame = await timed(() => oneByOne(speaknosis(), roster, SAMPLE));
const changed = roster.map((row, k) =>
  k % 10 === 0 ? (k % 20 === 0 ? { ...row, active: false } : doctor(k, 'b')) : row,
);
const tenth = await timed(() => core.reconcileDoctors(speaknosis(), changed));
const baselineNew = await timed(() =>
  oneByOne(
    speaknosis(),
    Array.from({ length: N }, (_, k) => doctor(k, 'c')),
    SAMPLE,
  ),
);

// Prescrypto: 1,000 new medics (one listing for the plan, then one create each).
const medics = Array.from({ length: N }, (_, k) => ({ name: `Medic ${k}`, email: `rc.${run}.${k}@bench.example` }));
const pFirst = await timed(() => core.reconcileDoctors(prescrypto(), medics));
const pAgain = await timed(() => core.reconcileDoctors(prescrypto(), medics));
const pSample = Math.min(SAMPLE, 20);
const pBaseline = await timed(() =>
  oneByOne(
    prescrypto(),
    Array.from({ length: N }, (_, k) => ({ name: `One ${k}`, email: `ob.${run}.${k}@bench.example` })),
    pSample,
  ),
);

server.closeAllConnections();
server.close();

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const scale = (measured, count) => ({
  ms: (measured.ms * N) / count,
  requests: Math.round((measured.requests * N) / count),
});
const writes = (result) =>
  result.detail.results.filter((r) => !['unchanged', 'failed', 'not-run'].includes(r.outcome)).length;
const table = [
  `## (f) Reconcile of ${N.toLocaleString('en')} doctors`,
  '',
  `\`node bench/reconcile.js\` — Node ${process.version}, ${os.cpus().length} cores, sandbox latency ${LATENCY} ms per request, reconcile with its defaults (8 in flight, Speaknosis POSTs of 100). "Doctor by doctor" checks each doctor and then creates or deactivates it, one at a time (\`provisionDoctor\` / \`deprovisionDoctor\` in a loop); it is measured on ${SAMPLE} doctors (Prescrypto ${pSample}) and scaled.`,
  '',
  '| vendor | case | reconcile: wall time | requests | writes | doctor by doctor: wall time | requests |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  `| Speaknosis | ${N} new | ${s(first.ms)} | ${first.requests} | ${writes(first)} | ${s(scale(baselineNew, SAMPLE).ms)} (est.) | ${scale(baselineNew, SAMPLE).requests} |`,
  `| Speaknosis | same roster again | ${s(again.ms)} | ${again.requests} | ${writes(again)} | ${s(scale(baselineSame, SAMPLE).ms)} (est.) | ${scale(baselineSame, SAMPLE).requests} |`,
  `| Speaknosis | 10 % changed (${N / 20} new, ${N / 20} deactivated) | ${s(tenth.ms)} | ${tenth.requests} | ${writes(tenth)} | — | — |`,
  `| Prescrypto | ${N} new | ${s(pFirst.ms)} | ${pFirst.requests} | ${writes(pFirst)} | ${s(scale(pBaseline, pSample).ms)} (est.) | ${scale(pBaseline, pSample).requests} |`,
  `| Prescrypto | same roster again | ${s(pAgain.ms)} | ${pAgain.requests} | ${writes(pAgain)} | — | — |`,
  '',
  'Reconcile plans with reads only (Speaknosis: one check per doctor, 8 at a time; Prescrypto: one walk of the medic list), then sends only the writes the plan names: Speaknosis creates 100 doctors per POST. A roster that already matches sends no write. Doctor by doctor pays every round trip in turn, and a Prescrypto lookup by email walks the medic list for each doctor.',
];
for (const line of table) console.log(line);
if (!values['no-write']) {
  const text = readFileSync(RESULTS, 'utf8');
  const start = text.indexOf('<!-- reconcile:start -->');
  const end = text.indexOf('<!-- reconcile:end -->');
  const block = `<!-- reconcile:start -->\n${table.join('\n')}\n<!-- reconcile:end -->`;
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + block + text.slice(end + '<!-- reconcile:end -->'.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS, next);
}
void rows;
void log;
