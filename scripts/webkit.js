// How this project drives WebKit: Debian's WebKitWebDriver and WebKitGTK's MiniBrowser, under Xvfb
// when there is no display. Never a downloaded browser or driver.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { WebdriverLauncher } from '@web/test-runner-webdriver';

export const webkitDriverPath = [process.env.WEBKIT_WEBDRIVER_PATH, '/usr/bin/WebKitWebDriver'].find(
  (path) => path && existsSync(path),
);
export const miniBrowserPath = [
  process.env.MINIBROWSER_PATH,
  '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
].find((path) => path && existsSync(path));

/** A port nobody listens on right now (WebKitWebDriver cannot pick one itself). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a child and rejects if it exits before `ready` settles. */
function startChild(command, args, options, ready) {
  const child = spawn(command, args, options);
  const exited = new Promise((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`${command} exited (${signal ?? code})`)));
  });
  return Promise.race([ready(child), exited]).then(
    () => child,
    (error) => {
      child.kill();
      throw error;
    },
  );
}

/** Xvfb on the first free display; it writes the display number to fd 3 once it accepts clients. */
function startXvfb() {
  let display = '';
  return startChild(
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] },
    (child) =>
      new Promise((resolve) => {
        child.stdio[3].on('data', (chunk) => {
          display += chunk;
          if (display.includes('\n')) resolve();
        });
      }),
  ).then((child) => ({ child, display: `:${display.trim()}` }));
}

async function waitForDriver(url, timeoutMs = 20_000) {
  const start = Date.now();
  for (;;) {
    try {
      if ((await fetch(`${url}/status`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - start > timeoutMs) throw new Error(`WebKitWebDriver did not answer at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts WebKitWebDriver on a free loopback port (and Xvfb first when `DISPLAY` is unset).
 * `stop()` ends only what this call started.
 */
export async function startWebKitDriver() {
  if (!webkitDriverPath || !miniBrowserPath) {
    throw new Error('WebKit needs WebKitWebDriver and MiniBrowser (Debian: apt-get install webkit2gtk-driver xvfb)');
  }
  const started = [];
  const stop = () => {
    for (const child of started.reverse()) if (child.exitCode === null) child.kill();
  };
  // A crash of the runner must not leave a driver or a display behind.
  process.once('exit', stop);
  try {
    let display = process.env.DISPLAY;
    if (!display) {
      const xvfb = await startXvfb();
      started.push(xvfb.child);
      display = xvfb.display;
    }
    const port = await freePort();
    const driver = await startChild(
      webkitDriverPath,
      [`--port=${port}`, '--host=local'],
      { stdio: 'ignore', env: { ...process.env, DISPLAY: display } },
      () => waitForDriver(`http://127.0.0.1:${port}`),
    );
    started.push(driver);
    return { port, display, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/** The WebDriver capabilities MiniBrowser needs; classic WebDriver (WebKitWebDriver has no BiDi). */
export const webkitCapabilities = () => ({
  browserName: 'MiniBrowser',
  'webkitgtk:browserOptions': { binary: miniBrowserPath, args: ['--automation'] },
  'wdio:enforceWebDriverClassic': true,
});

/** `@web/test-runner-webdriver`'s launcher, owning the WebKitWebDriver (and Xvfb) it talks to. */
class WebKitLauncher extends WebdriverLauncher {
  async initialize(config, testFiles) {
    this.driverProcess = await startWebKitDriver();
    Object.assign(this.options, { hostname: '127.0.0.1', port: this.driverProcess.port, path: '/' });
    await super.initialize(config, testFiles);
    this.name = 'WebKit';
  }

  async stop() {
    await super.stop();
    this.driverProcess?.stop();
  }
}

export const webkitLauncher = () => new WebKitLauncher({ capabilities: webkitCapabilities(), logLevel: 'error' });
