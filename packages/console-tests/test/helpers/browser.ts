import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser; `RELAYPOINT_CHROMIUM` overrides it. */
export const CHROMIUM_PATH = process.env.RELAYPOINT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium, or returns null when there is none and this is
 * not CI (the suite is then pending, with the reason). Under `CI=true` a
 * missing browser throws: CI installs it (`.ci/run`), and a console test that
 * silently did not run would be counted as passing.
 */
export async function launchBrowser(executablePath = CHROMIUM_PATH, ci = process.env.CI === 'true'): Promise<Browser | null> {
  if (!existsSync(executablePath)) {
    if (ci)
      throw new Error(
        `CI=true and no browser at ${executablePath}: install Debian's chromium (apt-get install -y chromium), as .ci/run does`,
      );
    process.stderr.write(`[console-tests] no browser at ${executablePath}: the browser tests are pending (apt-get install -y chromium)\n`);
    return null;
  }
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

/** True when `npm run screenshots` asked for the pictures in docs/images to be refreshed. */
export const takeScreenshots = process.env.RELAYPOINT_SCREENSHOTS === '1';
