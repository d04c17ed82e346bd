import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStack, type Stack } from './stack.js';

// Debian's Chromium (apt-get install chromium): playwright-core downloads no browser of its own.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Quiet and offline apart from the page under test: no sync, updates, QUIC or first-run dialogs.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PageProblems {
  console: string[];
  pageErrors: string[];
  cspViolations: string[];
}

/**
 * Records what would show in the developer tools: console errors, uncaught exceptions and
 * Content-Security-Policy violations (reported by the page itself, whatever the console says).
 */
export async function watchForProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { console: [], pageErrors: [], cspViolations: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.console.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  await page.exposeFunction('__reportCspViolation', (text: string) => problems.cspViolations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCspViolation: (t: string) => void }).__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  return problems;
}

/** One stack and one browser for the whole test file, started together before its first test, handed to `use`, closed after its last. */
export function stackAndBrowserPerFile(use: (stack: Stack, browser: Browser) => void): void {
  let started: [Stack, Browser] | undefined;
  before(async () => {
    started = await Promise.all([startStack(), launchBrowser()]);
    use(...started);
  });
  after(async () => {
    await started?.[1].close();
    await started?.[0].stop();
  });
}
