// Docs that cannot rot: every code block of README.md and docs/ marked `runnable` is run as
// written — Node recipes with node, HTML pages in headless Chromium — against the sandbox as
// `npx doctor-gate sandbox` starts it (the package's bin, dist/cli.js); the CLI's documented output
// is what the CLI prints; and no page names an internal file, issue or ticket.
// Needs `npm run build` (dist/).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { chromium } from 'playwright-core';

import { chromiumArgs, chromiumPath } from '../../scripts/chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/cli.js');

/** README.md, CHANGELOG.md (the changelog page includes it) and every page of the docs site. */
function docFiles() {
  const pages = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'cache') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) pages.push(path);
    }
  };
  walk(join(root, 'docs'));
  return [join(root, 'README.md'), join(root, 'CHANGELOG.md'), ...pages];
}

/**
 * The fenced code blocks of a Markdown file: `{ file, line, lang, tags, code, output }`, where
 * `output` is the ```text output block that directly follows a block (its expected stdout).
 */
function codeBlocks(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, info] = open;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !lines[i].startsWith(`${indent}${fence}`); i++)
      body.push(lines[i].slice(indent.length));
    blocks.push({
      file: relative(root, file),
      line: start + 1,
      lang,
      tags: info.split(/\s+/).filter(Boolean),
      code: body.join('\n'),
    });
  }
  blocks.forEach((block, k) => {
    const next = blocks[k + 1];
    if (next && next.lang === 'text' && next.tags.includes('output')) block.output = next.code;
  });
  return blocks;
}

const allBlocks = docFiles().flatMap(codeBlocks);
// The server recipes (`js recipe title="…"`) are run by server-recipes.test.js, with their modules.
const runnable = allBlocks.filter((block) => block.tags.includes('runnable'));

/** Runs `node file` in the file's folder; its exit code and output. */
function runNode(file, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: dirname(file), env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `doctor-gate sandbox --port 0`, as an integrator runs it; resolves once it prints its address. */
function startSandbox() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'sandbox', '--port', '0'], { cwd: root });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))\/sandbox\//.exec(out);
      if (match) resolve({ origin: match[1], port: match[2], banner: () => out, stop: () => child.kill('SIGTERM') });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`doctor-gate sandbox exited with ${code}: ${out}`)));
  });
}

/** The docs write the sandbox as `npx doctor-gate sandbox --port 8787`; the test's runs on a free port. */
const onPort = (code, port) => code.replaceAll('127.0.0.1:8787', `127.0.0.1:${port}`);

describe('docs: no internal references', () => {
  const FORBIDDEN = [
    /DESIGN\.md/,
    /VENDOR-NOTES/,
    /STYLE\.md/,
    /\bissue #?\d/i,
    /\bseed 00\d/i,
    /003_9448/,
    /000_0497/,
  ];

  it('README.md, CHANGELOG.md and docs/**/*.md name no internal file, issue or ticket', () => {
    const files = docFiles();
    assert.ok(files.length >= 15, `expected the docs pages, found ${files.length}`);
    const hits = [];
    for (const file of files) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          for (const pattern of FORBIDDEN) {
            if (pattern.test(line)) hits.push(`${relative(root, file)}:${index + 1}: ${pattern} in "${line.trim()}"`);
          }
        });
    }
    assert.deepEqual(hits, []);
  });

  it('the grep catches what it must (checked on a planted line)', () => {
    const planted = [
      'as DESIGN.md says',
      'see VENDOR-NOTES',
      'per STYLE.md',
      'issue 11',
      'Issue #7',
      'seed 003',
      '003_9448dc',
      '000_0497f',
    ];
    // The very list the docs are checked against: a pattern dropped from it fails here.
    for (const line of planted)
      assert.ok(
        FORBIDDEN.some((p) => p.test(line)),
        line,
      );
  });

  it('the README stays short: at most 250 lines', () => {
    const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n').length;
    assert.ok(lines <= 250, `README.md has ${lines} lines`);
  });
});

describe('docs: runnable code blocks', () => {
  /** @type {Awaited<ReturnType<typeof startSandbox>>} */
  let sandbox;
  // A fresh project with the package installed: node_modules/doctor-gate is this repository
  // (its exports, its dist/), and msw, the optional peer the MSW recipe needs.
  const dir = mkdtempSync(join(tmpdir(), 'doctor-gate-docs-'));

  before(async () => {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules/doctor-gate'), 'dir');
    symlinkSync(join(root, 'node_modules/msw'), join(dir, 'node_modules/msw'), 'dir');
    sandbox = await startSandbox();
  });
  after(() => {
    sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const reset = () =>
    fetch(`${sandbox.origin}/sandbox/_control/reset`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });

  it('there are runnable blocks: the README example, HTML pages and Node recipes', () => {
    assert.ok(runnable.some((b) => b.file === 'README.md' && b.lang === 'html'));
    assert.ok(runnable.filter((b) => b.lang === 'html').length >= 2);
    assert.ok(runnable.filter((b) => b.lang === 'js').length >= 2);
    for (const block of runnable) assert.ok(['js', 'html'].includes(block.lang), `${block.file}:${block.line}`);
  });

  for (const block of runnable.filter((b) => b.lang === 'js')) {
    it(`${block.file}:${block.line} runs with node${block.output ? ' and prints what the page says' : ''}`, async () => {
      await reset();
      const file = join(dir, `${block.file.replace(/\W+/g, '-')}-${block.line}.mjs`);
      writeFileSync(file, onPort(block.code, sandbox.port));
      const { code, stdout, stderr } = await runNode(file);
      assert.equal(code, 0, `exit ${code}\n${stdout}\n${stderr}`);
      if (block.output !== undefined) {
        const lines = (text) =>
          text
            .trimEnd()
            .split('\n')
            .map((line) => line.trimEnd());
        assert.deepEqual(lines(stdout), lines(block.output));
      }
    });
  }

  describe('HTML pages in Chromium', { skip: !chromiumPath && 'no system Chromium' }, () => {
    /** @type {import('playwright-core').Browser} */
    let browser;
    /** @type {http.Server} */
    let server;
    let page = '';
    let origin = '';

    before(async () => {
      browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
      // A fresh folder as the reader has it: index.html next to node_modules/doctor-gate/dist/.
      server = http.createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/' || path === '/index.html') {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
        } else if (
          path.startsWith('/node_modules/doctor-gate/dist/') &&
          extname(path) === '.js' &&
          !path.includes('..')
        ) {
          res
            .writeHead(200, { 'Content-Type': 'text/javascript' })
            .end(readFileSync(join(root, path.slice('/node_modules/doctor-gate/'.length))));
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${server.address().port}`;
    });
    after(async () => {
      await browser?.close();
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    for (const block of runnable.filter((b) => b.lang === 'html')) {
      const what = block.file === 'README.md' ? "the README's 30-second example" : `${block.file}:${block.line}`;
      it(`${what}, as a fresh page against doctor-gate sandbox, opens the sandbox's app`, async () => {
        await reset();
        page = onPort(block.code, sandbox.port);
        const context = await browser.newContext();
        const tab = await context.newPage();
        const problems = [];
        tab.on('pageerror', (error) => problems.push(error.message));
        // The page's own warnings (its doctor-gate-error listener), and any postMessage the browser
        // refuses: the stand-in app posts to a window of another origin only when told it (`host=`).
        const watch = (target) =>
          target.on('console', (message) => {
            if (message.type() === 'warning' || message.text().includes('postMessage')) problems.push(message.text());
          });
        watch(tab);
        await tab.goto(`${origin}/index.html`);
        const gate = tab.locator('doctor-gate');
        await gate.locator('button').waitFor();
        const [popup] = await Promise.all([context.waitForEvent('page'), gate.locator('button').click()]);
        watch(popup);
        await popup.waitForURL(new RegExp(`^${sandbox.origin}/sandbox/app/`), { timeout: 15_000 });
        await popup
          .locator('[data-field="store"]')
          .filter({ hasText: 'user exists and is active' })
          .waitFor({ timeout: 15_000 });
        assert.equal(await gate.getAttribute('state'), 'open');
        assert.deepEqual(problems, []);
        await context.close();
      });
    }
  });
});

describe('docs: the CLI prints what the CLI page says', () => {
  const block = (tag) => allBlocks.find((b) => b.file === join('docs', 'cli.md') && b.tags.includes(tag));
  // What varies between runs: the sandbox's port, durations and rates.
  const normalize = (text, port) =>
    text
      .replaceAll(`127.0.0.1:${port}`, '127.0.0.1:8787')
      .replace(/\d+(\.\d+)? (ms|s)\b/g, 'N ms')
      .replace(/ *\d+(\.\d+)?\/s/g, ' N/s')
      .split('\n')
      .map((line) => line.trimEnd())
      .filter(Boolean);

  it('a provision run in a pipe: progress on stderr, summary on stdout', async () => {
    const expected = block('cli-output');
    assert.ok(expected, 'docs/cli.md has a ```text cli-output block');
    const sandbox = await startSandbox();
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'doctor-gate-cli-docs-'));
      const roster = join(root, 'demo/roster.csv');
      const child = spawn(
        process.execPath,
        [
          cli,
          'provision',
          '--vendor',
          'speaknosis',
          '--api-base',
          `${sandbox.origin}/sandbox/speaknosis/v1/health`,
          '--provider-id',
          '1001',
          '--token-env',
          'SPEAKNOSIS_TOKEN',
          '--file',
          roster,
          '--report',
          'report.json',
        ],
        { cwd, env: { ...process.env, SPEAKNOSIS_TOKEN: 'sk_demo_token' } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise((resolve) => child.on('close', resolve));
      assert.equal(code, 1, 'one roster row is invalid: exit code 1');
      assert.deepEqual(normalize(stderr + stdout, sandbox.port), normalize(expected.code, sandbox.port));
    } finally {
      sandbox.stop();
    }
  });

  it('doctor-gate --help lists every command, and the CLI page lists the same', async () => {
    const help = await new Promise((resolve) => {
      const child = spawn(process.execPath, [cli, '--help']);
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(help.code, 0);
    const listed = help.out.split('Commands:\n')[1]?.split('\n\n')[0] ?? '';
    const inHelp = [...listed.matchAll(/^ {2}(\S+) {3,}/gm)].map((m) => m[1]).sort();
    const page = readFileSync(join(root, 'docs/cli.md'), 'utf8');
    const inDocs = [...page.matchAll(/^\| `doctor-gate ([a-z-]+)/gm)].map((m) => m[1]).sort();
    // Every command the CLI runs is listed, and every listed one runs (its own --help exits 0).
    assert.deepEqual(inHelp, ['example-roster', 'provision', 'reconcile', 'sandbox'], help.out);
    assert.deepEqual(inDocs, inHelp);
    for (const command of inHelp) {
      const code = await new Promise((resolve) =>
        spawn(process.execPath, [cli, command, '--help']).on('close', resolve),
      );
      assert.equal(code, 0, `${command} --help`);
    }
  });

  it('the progress line on a terminal', async () => {
    const expected = block('cli-tty');
    assert.ok(expected, 'docs/cli.md has a ```text cli-tty block');
    const { Progress } = await import(cli);
    let written = '';
    let now = 0;
    const progress = new Progress({ write: (text) => (written += text), columns: 160 }, 12, {
      tty: true,
      now: () => now,
    });
    progress.start(1, { created: 0, existing: 0, reactivated: 0, failed: 1 });
    now = 200;
    progress.update(12, { created: 8, existing: 2, reactivated: 1, failed: 1 });
    progress.stop();
    const last = written.split('\r\x1b[2K').at(-1).trim();
    assert.deepEqual(normalize(last, 0), normalize(expected.code, 0));
  });
});
