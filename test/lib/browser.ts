import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ROOT } from "./processes.js";
import { removeDir, tempDir } from "./fleet.js";

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it); Playwright's own download cannot work here. */
export const CHROMIUM = process.env.GITFLEET_CHROMIUM ?? "/usr/bin/chromium";

/** Screenshots are test artifacts, kept out of Git. */
export const ARTIFACTS = join(ROOT, "test", "artifacts");

// No background traffic: this machine has no network beyond loopback, and tests should not try.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh headless Chromium (new profile) with one 1280×800 page. */
export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set GITFLEET_CHROMIUM)`);
  const profile = await tempDir("chromium");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await removeDir(profile);
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(ARTIFACTS, "screenshots");
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
