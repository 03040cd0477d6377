/**
 * Debian's chromium for the dashboard's browser tests (never a downloaded browser), with the launch flags
 * that keep it offline and quiet in a sandboxed CI.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser suites cannot run here, or undefined (with STRATA_REQUIRE_SERVICES=1 a missing browser fails). */
export function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM) || process.env['STRATA_REQUIRE_SERVICES'] === '1') return undefined;
  return `${CHROMIUM} is not installed (apt-get install -y chromium)`;
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
