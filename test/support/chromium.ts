/**
 * Headless Chromium for tests and benches: Debian's /usr/bin/chromium through playwright-core (no browser
 * download), with the flags this machine needs, a fresh profile, and a counter of bytes on the wire.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const hasChromium = (): boolean => existsSync(CHROMIUM);

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A browser with a fresh profile; `close()` also removes the profile. */
export async function launchChromium(): Promise<{ ctx: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'upshift-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 1000 }, args: CHROMIUM_ARGS });
  return {
    ctx,
    close: async () => {
      await ctx.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Count what `page` receives with the cache off: per request the bytes on the wire (what a finished request
 * reports; for a still-open event stream, what has arrived). `reset()` starts over, `bytes()` sums.
 */
export async function wireCounter(ctx: BrowserContext, page: Page): Promise<{ reset(): void; bytes(): number }> {
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const wire = new Map<string, number>();
  cdp.on('Network.dataReceived', (e: { requestId: string; encodedDataLength: number }) => wire.set(e.requestId, (wire.get(e.requestId) ?? 0) + e.encodedDataLength));
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => wire.set(e.requestId, Math.max(wire.get(e.requestId) ?? 0, e.encodedDataLength)));
  return { reset: () => wire.clear(), bytes: () => [...wire.values()].reduce((a, b) => a + b, 0) };
}
