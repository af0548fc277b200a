// The three engines the browser suite runs in, each a browser installed on the machine (never a
// downloaded build). BROWSERS=firefox (or "chromium,webkit") picks some of them.
import { existsSync } from 'node:fs';
import { chromeLauncher, puppeteerCore } from '@web/test-runner-chrome';
import { chromiumArgs, chromiumPath } from './chromium.js';
import { webkitLauncher } from './webkit.js';

export const ENGINES = ['chromium', 'firefox', 'webkit'];

export const firefoxPath = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'].find(
  (path) => path && existsSync(path),
);

/** The engines named in `list` (comma- or space-separated), or all three when it is empty. */
export function selectEngines(list = process.env.BROWSERS ?? '') {
  const names = list
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
  const unknown = names.filter((name) => !ENGINES.includes(name));
  if (unknown.length > 0) throw new Error(`BROWSERS: unknown engine ${unknown.join(', ')} (use ${ENGINES.join(', ')})`);
  return names.length > 0 ? ENGINES.filter((name) => names.includes(name)) : ENGINES;
}

const launchers = {
  // puppeteer-core passed in, so the runner names it "Chromium" and never looks for a Chrome of its own.
  chromium: () =>
    chromeLauncher({
      puppeteer: puppeteerCore,
      launchOptions: { ...(chromiumPath ? { executablePath: chromiumPath } : {}), args: chromiumArgs },
    }),
  // Firefox over WebDriver BiDi, the protocol puppeteer-core speaks to it.
  firefox: () => {
    if (!firefoxPath) throw new Error('Firefox not found (Debian: apt-get install firefox-esr)');
    return chromeLauncher({
      puppeteer: puppeteerCore,
      launchOptions: {
        browser: 'firefox',
        executablePath: firefoxPath,
        headless: true,
        // Exposes document.featurePolicy (hidden by default), so the sandbox app can tell what its iframe was granted.
        extraPrefsFirefox: { 'dom.security.featurePolicy.webidl.enabled': true },
      },
    });
  },
  webkit: webkitLauncher,
};

/** One launcher per selected engine, keyed by engine name. */
export function engineLaunchers(names = selectEngines()) {
  return Object.fromEntries(names.map((name) => [name, launchers[name]()]));
}
