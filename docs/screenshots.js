// The README's theming pictures: the default and a themed <doctor-gate> in each state, taken in
// headless Chromium against the sandbox. Run after `npm run build`:
//   node docs/screenshots.js   →  docs/public/states-default.png, docs/public/states-themed.png
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { createSandbox } from '../sandbox/index.js';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.js';

const root = new URL('../', import.meta.url);

/** Each row: a state, the doctor it runs for, and what puts the gate in that state. */
const ROWS = [
  { state: 'idle', doctor: 'shot-idle', action: 'none' },
  { state: 'checking', doctor: 'shot-checking', action: 'provision' }, // its GET hangs
  { state: 'creating', doctor: 'shot-creating', action: 'provision' }, // new doctor; its POST hangs
  { state: 'ready', doctor: 'doc-ana', action: 'provision' }, // a fixture doctor, already active
  { state: 'open', doctor: 'doc-john', action: 'open' }, // iframe mode: the stand-in app inside
  { state: 'error', doctor: 'shot-error', action: 'provision', token: 'sk_revoked_token' }, // 401
];

const THEME = `
  /* Public tokens… */
  .themed doctor-gate {
    --doctor-gate-accent: #0f766e;
    --doctor-gate-on-accent: #f0fdfa;
    --doctor-gate-radius: 10px;
    --doctor-gate-muted-color: #115e59;
    --doctor-gate-error-color: #9f1239;
    --doctor-gate-font: 500 15px/1.4 system-ui, sans-serif;
    --doctor-gate-frame-border: 2px solid #0f766e;
  }
  /* …and parts, for what the tokens do not cover. */
  .themed doctor-gate::part(button) {
    border-radius: 999px;
    padding: 0.6em 1.4em;
    box-shadow: 0 1px 3px rgb(15 118 110 / 0.4);
  }
  .themed doctor-gate::part(status) { font-style: italic; }
  .themed doctor-gate[state='error']::part(status) { background: #fff1f2; padding: 0.15em 0.5em; border-radius: 4px; }
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>doctor-gate states</title>
<style>
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #1f2328; background: #fff; }
  /* The second track's width is the gate's (and so the iframe's) width in the picture. */
  .column { display: inline-grid; grid-template-columns: 80px 430px; gap: 14px 16px; align-items: start; padding: 18px 22px; vertical-align: top; }
  .column h2 { grid-column: 1 / -1; margin: 0 0 4px; font-size: 15px; }
  .label { color: #57606a; font: 12px ui-monospace, monospace; padding-top: 0.7em; }
  /* Shorter than the default 650px frame, to fit the picture. */
  doctor-gate { --doctor-gate-frame-height: 230px; }
  ${THEME}
</style>
<script src="/dist/doctor-gate.iife.js"></script>
</head>
<body>
  <div class="column default" id="default"><h2>Default</h2></div>
  <div class="column themed" id="themed"><h2>Themed</h2></div>
</body>
</html>`;

const sandbox = createSandbox();
const server = createServer(async (req, res) => {
  if (await sandbox.handle(req, res)) return;
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/') return res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
  if (path === '/dist/doctor-gate.iife.js') {
    const body = await readFile(new URL('dist/doctor-gate.iife.js', root));
    return res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(body);
  }
  res.writeHead(404).end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(`${origin}/`);
  await page.evaluate(
    async ({ rows }) => {
      const control = (path, body) =>
        fetch(`/sandbox/_control/${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      await control('faults', {
        faults: [
          { match: { method: 'GET', path: 'shot-checking' }, kind: 'hang', times: 2 },
          { match: { method: 'POST', body: 'shot-creating' }, kind: 'hang', times: 2 },
        ],
      });
      for (const theme of ['default', 'themed']) {
        const column = document.getElementById(theme);
        for (const row of rows) {
          const label = Object.assign(document.createElement('div'), { className: 'label', textContent: row.state });
          const gate = document.createElement('doctor-gate');
          const attributes = {
            'api-base': '/sandbox/speaknosis/v1/health',
            'provider-id': '1001',
            'doctor-id': row.doctor,
            'doctor-name': 'Ana',
            'doctor-lastname': 'García',
            'speciality-id': '1',
            'doctor-lang': 'EN',
            mode: 'iframe',
            prefetch: 'none',
            'app-url': '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}',
          };
          for (const [name, value] of Object.entries(attributes)) gate.setAttribute(name, value);
          gate.tokenProvider = async () => row.token ?? 'sk_demo_token';
          column.append(label, gate);
        }
      }
      await Promise.all([...document.querySelectorAll('doctor-gate')].map((gate) => gate.updateComplete));
      for (const [index, gate] of [...document.querySelectorAll('doctor-gate')].entries()) {
        const row = rows[index % rows.length];
        if (row.action === 'provision') gate.provision().catch(() => undefined);
        if (row.action === 'open') gate.open();
      }
    },
    { rows: ROWS },
  );

  // Every gate in its row's state, and the stand-in app loaded in the iframes.
  await page.waitForFunction(
    (states) =>
      [...document.querySelectorAll('doctor-gate')].every(
        (gate, i) => gate.getAttribute('state') === states[i % states.length],
      ),
    ROWS.map((row) => row.state),
    { timeout: 15_000 },
  );
  for (const frame of page.frames().filter((f) => f.url().includes('/sandbox/app/'))) {
    await frame.waitForFunction(() => document.querySelector('[data-field="store"]')?.textContent !== 'checking…');
  }

  for (const theme of ['default', 'themed']) {
    const file = new URL(`docs/public/states-${theme}.png`, root);
    await page.locator(`#${theme}`).screenshot({ path: file.pathname });
    console.log(`wrote ${file.pathname}`);
  }
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
}
