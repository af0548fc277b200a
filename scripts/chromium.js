// One place for how this project starts headless Chromium: tests, bench and screenshots.
import { existsSync } from 'node:fs';

/** The system Chromium (never a downloaded one), or undefined to let the tool find one. */
export const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path) => path && existsSync(path),
);

/** Flags for running as root on a machine with no network but loopback. */
export const chromiumArgs = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
