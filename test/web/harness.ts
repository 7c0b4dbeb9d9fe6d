// The playground in real headless Chromium, for the end-to-end tests and bench/playground.ts: the app
// is built fresh with Vite into a temporary folder, served by `descent serve` on 127.0.0.1 (a free
// port) with a runs folder, and opened in Debian's /usr/bin/chromium through playwright-core (no
// browser is ever downloaded). `problems` collects console errors, page errors and failed requests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test/web/artifacts');

/** false when Chromium is installed, else why the browser tests are skipped. */
export const skipWithoutChromium: false | string = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) to run the browser tests`;

export interface Playground {
  /** The app's address, ending in '/'. */
  url: string;
  context: BrowserContext;
  /** Console errors, page errors and failed requests of every page opened with `open`. */
  problems: string[];
  /** A fresh page at `url + hash`; its console warnings land in `warnings`. */
  open(hash: string): Promise<{ page: Page; warnings: string[] }>;
  close(): Promise<void>;
}

/** Builds the app, serves it with `runsDir` as the runs folder, and starts Chromium. */
export async function startPlayground(runsDir: string): Promise<Playground> {
  const webDir = mkdtempSync(join(tmpdir(), 'descent-web-'));
  const profile = mkdtempSync(join(tmpdir(), 'descent-chromium-'));
  const vite = await import('vite');
  await vite.build({
    configFile: join(ROOT, 'web/vite.config.ts'),
    build: { outDir: webDir, emptyOutDir: true },
    logLevel: 'warn',
  });
  const serve: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'serve', runsDir, '--web', webDir, '--port', '0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    serve.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /playground at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) done(match[1]!);
    });
    serve.once('exit', (code) => fail(new Error(`descent serve exited with ${code}: ${out}`)));
  });
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const problems: string[] = [];
  return {
    url,
    context,
    problems,
    async open(hash) {
      const page = await context.newPage();
      const warnings: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`${hash}: console error: ${m.text()}`);
        if (m.type() === 'warning') warnings.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(`${hash}: page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`${hash}: request failed: ${r.url()}`));
      await page.goto(url + hash);
      return { page, warnings };
    },
    async close() {
      await context.close();
      serve.kill('SIGTERM');
      rmSync(webDir, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
