/**
 * `npm run bench`: numbers, not pass/fail (never part of `npm test`). Measures what users feel on
 * every popup open, every keystroke and every page view, on the built extension in headless Chromium
 * against two simulators (20,000 and 100,000 generated repositories), in one run:
 *   - popup open → search box usable, and → first results painted for a query typed at once;
 *   - keystroke → results painted for 1-, 2-, 3- and 6-character queries, beside the in-memory
 *     search alone (lib/features/clone/search.ts in Node, same entries, same queries);
 *   - connect → index complete, and a forced full sync of an emptied index;
 *   - popup first contentful paint against an empty extension page (a second, tiny extension);
 *   - service-worker cold wake against that empty extension's worker;
 *   - a repository page with and without the extension: `load` added, the content script's
 *     main-thread time, DOMContentLoaded → "Open in…" visible, and → the page report arriving;
 *   - key generation per type as the user waits for it: Ed25519, RSA 3072 and RSA 4096 through the
 *     background (message sent → key saved), and GPG in the popup (click → key card shown; the
 *     first one also loads OpenPGP.js, reported apart).
 * Every number comes with its n. BENCH_RUNS, BENCH_KEYS, BENCH_PAGES, BENCH_WAKES, BENCH_SYNCS,
 * BENCH_KEYGEN change the counts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BrowserContext, type CDPSession, chromium, type Page } from '@playwright/test';
import { createSearchIndex, type SearchEntry } from '../lib/features/clone/search';
import { type Simulator, startSimulator } from '../simulator/index';
import { seededRandom } from '../simulator/names';
import { chromiumArgs, chromiumPath } from '../tests/e2e/chromium';

const count = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RUNS = count('BENCH_RUNS', 15);
const KEYS = count('BENCH_KEYS', 50);
const PAGES = count('BENCH_PAGES', 100);
const WAKES = count('BENCH_WAKES', 15);
const SYNCS = count('BENCH_SYNCS', 3);
/** Keys generated per type (Ed25519 gets four times as many: it is quick and its spread small). */
const KEYGEN = count('BENCH_KEYGEN', 5);
const SIZES = [20_000, 100_000] as const;
const QUERY_LENGTHS = [1, 2, 3, 6] as const;

// ── statistics and the table ──

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile. */
const pct = (xs: readonly number[], p: number) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const med = (xs: readonly number[]) => pct(xs, 50);
const ms = (x: number) => (Math.abs(x) < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);
const s = (x: number) => `${(x / 1000).toFixed(1)} s`;

const table: Array<[string, string, string]> = [];
function row(what: string, result: string, n: number | string) {
  table.push([what, result, String(n)]);
  console.log(`${what}: ${result} (n=${n})`);
}
const p50p90 = (xs: number[]) => `median ${ms(med(xs))}, p90 ${ms(pct(xs, 90))}`;
const p50p99 = (xs: number[]) => `p50 ${ms(med(xs))}, p99 ${ms(pct(xs, 99))}`;
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

// ── builds ──

execFileSync('npx', ['wxt', 'build'], { stdio: 'ignore' });
execFileSync('npx', ['wxt', 'build', '--mode', 'e2e'], { stdio: 'ignore' });
for (const script of ['content', 'repository', 'keys-page']) {
  const file = `.output/chrome-mv3/content-scripts/${script}.js`;
  try {
    const code = readFileSync(file);
    row(
      `content script ${script}.js size`,
      `${(code.length / 1024).toFixed(1)} KiB raw, ${(gzipSync(code).length / 1024).toFixed(1)} KiB gzip`,
      1,
    );
  } catch {
    console.log(`${file}: not built`);
  }
}

// ── an empty extension: a page with one line of text and a worker that answers every message ──

const work = mkdtempSync(path.join(tmpdir(), 'bsc-bench-'));
const emptyDir = path.join(work, 'empty-extension');
mkdirSync(emptyDir);
writeFileSync(
  path.join(emptyDir, 'manifest.json'),
  JSON.stringify({
    manifest_version: 3,
    name: 'Empty extension',
    version: '1.0',
    background: { service_worker: 'worker.js' },
    action: { default_popup: 'page.html' },
  }),
);
writeFileSync(
  path.join(emptyDir, 'worker.js'),
  'chrome.runtime.onMessage.addListener((message, sender, reply) => { reply({ ok: true, value: null }); });\n',
);
writeFileSync(
  path.join(emptyDir, 'page.html'),
  '<!doctype html><html><head><meta charset="utf-8"><title>Empty</title></head><body><p>Empty page</p></body></html>\n',
);

const extensionDir = path.resolve('.output/chrome-mv3-e2e');
const sims = new Map<number, Simulator>();
for (const size of SIZES) sims.set(size, await startSimulator({ repos: size }));
const sim20 = sims.get(20_000)!;

const context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
  executablePath: chromiumPath(),
  headless: true,
  args: chromiumArgs(`${extensionDir},${emptyDir}`),
  viewport: { width: 1280, height: 800 },
});
// The baseline browser: the same flags and a profile directory of its own, no extension.
const plain = await chromium.launchPersistentContext(path.join(work, 'plain-profile'), {
  executablePath: chromiumPath(),
  headless: true,
  args: chromiumArgs(extensionDir).filter(
    (a) => !a.startsWith('--disable-extensions-except=') && !a.startsWith('--load-extension='),
  ),
  viewport: { width: 1280, height: 800 },
});
// tsx keeps function names with a `__name` helper that page functions passed to evaluate call.
const NAME_HELPER = 'globalThis.__name ??= (f) => f;';
await context.addInitScript(NAME_HELPER);
await plain.addInitScript(NAME_HELPER);

type Reply = { ok: boolean; value?: unknown; error?: { message: string } };

/** The two extensions' ids, found from their workers' manifests. */
async function extensionIds(ctx: BrowserContext): Promise<{ ours: string; empty: string }> {
  const found = new Map<string, string>();
  for (let wait = 0; found.size < 2 && wait < 100; wait++) {
    for (const worker of ctx.serviceWorkers()) {
      const name = await worker.evaluate(() => chrome.runtime.getManifest().name).catch(() => '');
      if (name) found.set(name, new URL(worker.url()).host);
    }
    if (found.size < 2) await sleep(100);
  }
  const empty = found.get('Empty extension');
  const ours = [...found.entries()].find(([name]) => name !== 'Empty extension')?.[1];
  if (!ours || !empty) throw new Error('the extensions did not start');
  return { ours, empty };
}

/** Sends a message from an extension page and returns the answer. */
function send(page: Page, message: Record<string, unknown>): Promise<Reply> {
  return page.evaluate((m) => chrome.runtime.sendMessage(m) as Promise<Reply>, message);
}

/**
 * In an extension page: waits until the profile's repoSyncs row says 'done' for a sync started at
 * or after `since` (epoch ms); returns performance.now() at that moment and the repositories seen.
 */
function waitForSyncDone(page: Page, profileId: string, since: number) {
  return page.evaluate(
    async ({ profileId, since }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('bitbucket-server-companion');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      try {
        for (;;) {
          const row = await new Promise<{ state: string; startedAt: number; seen: number } | undefined>(
            (resolve, reject) => {
              const get = db.transaction('repoSyncs').objectStore('repoSyncs').get(profileId);
              get.onsuccess = () => resolve(get.result);
              get.onerror = () => reject(get.error);
            },
          );
          if (row?.state === 'failed') throw new Error(`sync failed: ${JSON.stringify(row)}`);
          if (row?.state === 'done' && row.startedAt >= since)
            return { at: performance.now(), seen: row.seen };
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        db.close();
      }
    },
    { profileId, since },
  );
}

/** Deletes a profile's repositories and its sync state (as before its first sync). */
function clearIndex(page: Page, profileId: string) {
  return page.evaluate(async (profileId) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('bitbucket-server-companion');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(['repos', 'repoSyncs'], 'readwrite');
      tx.objectStore('repos').delete(IDBKeyRange.bound(`${profileId}:`, `${profileId}:\uffff`));
      tx.objectStore('repoSyncs').delete(profileId);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, profileId);
}

/** The search entries the popup builds for a profile, read from IndexedDB as the popup reads them. */
function readEntries(page: Page, profileId: string): Promise<{ entries: SearchEntry[]; readMs: number }> {
  return page.evaluate(async (profileId) => {
    const t0 = performance.now();
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('bitbucket-server-companion');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const range = IDBKeyRange.bound(`${profileId}:`, `${profileId}:\uffff`);
    const tx = db.transaction(['repos', 'repoUsage']);
    const [repos, usage] = await Promise.all(
      ['repos', 'repoUsage'].map(
        (store) =>
          new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
            const all = tx.objectStore(store).getAll(range);
            all.onsuccess = () => resolve(all.result);
            all.onerror = () => reject(all.error);
          }),
      ),
    );
    db.close();
    const readMs = performance.now() - t0;
    const used = new Map(usage!.map((u) => [u.key as string, u.lastUsedAt as number]));
    const entries = repos!.map((r) => ({
      key: r.key as string,
      projectKey: r.projectKey as string,
      projectName: r.projectName as string,
      name: r.name as string,
      slug: r.slug as string,
      lastUsedAt: used.get(r.key as string),
    }));
    return { entries, readMs };
  }, profileId);
}

/** First contentful paint of a page just opened (ms after navigation start). */
function fcpOf(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        new PerformanceObserver((list, observer) => {
          const paint = list.getEntriesByName('first-contentful-paint')[0];
          if (!paint) return;
          observer.disconnect();
          resolve(paint.startTime);
        }).observe({ type: 'paint', buffered: true });
      }),
  );
}

// Seeded queries: word prefixes of the generated names (words split at separators and camelCase).
function queriesFrom(sim: Simulator, length: number, n: number, seed: number): string[] {
  const words = sim.model.repos
    .flatMap((r) => r.name.split(/[^\p{L}\p{N}]+|(?<=\p{Ll})(?=\p{Lu})/u))
    .map((w) => w.toLowerCase())
    .filter((w) => w.length >= length && /^[a-z]/.test(w));
  const random = seededRandom(seed);
  const out: string[] = [];
  while (out.length < n) {
    const q = words[Math.floor(random() * words.length)]!.slice(0, length);
    // Never the same query twice in a row: each keystroke must change the list.
    if (q !== out[out.length - 1]) out.push(q);
  }
  return out;
}

try {
  const { ours, empty } = await extensionIds(context);
  const control = await context.newPage();
  await control.goto(`chrome-extension://${ours}/options.html`);

  // ── 3. connect → index complete; then forced full syncs of an emptied 20k index ──
  const profileIds = new Map<number, string>();
  for (const size of SIZES) {
    const sim = sims.get(size)!;
    const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
    const since = Date.now();
    const t0 = await control.evaluate(() => performance.now());
    const answer = await send(control, { type: 'connect', serverUrl: sim.url, token });
    if (!answer.ok) throw new Error(`connect failed: ${answer.error?.message}`);
    const profileId = (answer.value as { profile: { id: string } }).profile.id;
    profileIds.set(size, profileId);
    const done = await waitForSyncDone(control, profileId, since);
    row(
      `connect → index complete, ${size / 1000}k (${done.seen.toLocaleString('en')} repositories)`,
      s(done.at - t0),
      1,
    );
    if (size === 20_000) {
      const forced: number[] = [];
      for (let i = 0; i < SYNCS; i++) {
        await clearIndex(control, profileId);
        const since = Date.now();
        const t0 = await control.evaluate(() => performance.now());
        const started = await send(control, { type: 'repos.sync', profileId, force: true });
        if (!started.ok) throw new Error(`sync failed: ${started.error?.message}`);
        forced.push((await waitForSyncDone(control, profileId, since)).at - t0);
      }
      row(
        'first full sync, 20k (emptied index, forced sync → done)',
        `median ${s(med(forced))} (min ${s(Math.min(...forced))}, max ${s(Math.max(...forced))})`,
        forced.length,
      );
    }
  }

  // ── 1, 2, 4. the popup, per index size ──
  for (const size of SIZES) {
    const profileId = profileIds.get(size)!;
    const activated = await send(control, { type: 'profiles.activate', profileId });
    if (!activated.ok) throw new Error(`activate failed: ${activated.error?.message}`);
    const k = `${size / 1000}k`;

    // 4. First contentful paint, interleaved with the empty extension's page.
    const fcpOurs: number[] = [];
    const fcpEmpty: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const which of i % 2 ? (['empty', 'ours'] as const) : (['ours', 'empty'] as const)) {
        const page = await context.newPage();
        await page.goto(
          which === 'ours'
            ? `chrome-extension://${ours}/popup.html`
            : `chrome-extension://${empty}/page.html`,
        );
        (which === 'ours' ? fcpOurs : fcpEmpty).push(await fcpOf(page));
        await page.close();
      }
    }
    row(`popup first contentful paint, ${k} index`, p50p90(fcpOurs), fcpOurs.length);
    row(`empty extension page first contentful paint (same run)`, p50p90(fcpEmpty), fcpEmpty.length);
    row(
      `popup FCP ÷ empty page FCP, ${k} (medians; goal ≤ 1.2×)`,
      `${(med(fcpOurs) / med(fcpEmpty)).toFixed(2)}×`,
      RUNS,
    );

    // 1. Open → search box usable → first results painted for "api" typed as soon as the box exists.
    const usable: number[] = [];
    const results: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      await page.addInitScript((query: string) => {
        const state: { typedAt?: number; painted?: number } = {};
        (window as unknown as { bench: typeof state }).bench = state;
        const observer = new MutationObserver(() => {
          const input = document.querySelector<HTMLInputElement>('input[aria-label="Search repositories"]');
          if (input && state.typedAt === undefined) {
            state.typedAt = performance.now();
            input.value = query;
            input.dispatchEvent(new Event('input', { bubbles: true }));
          }
          // Rows of a query's hits carry highlights (the empty query's recent ones don't).
          if (state.typedAt !== undefined && document.querySelector('#repo-results .repo mark')) {
            observer.disconnect();
            requestAnimationFrame(() => {
              const channel = new MessageChannel();
              channel.port1.onmessage = () => {
                state.painted = performance.now();
              };
              channel.port2.postMessage(null);
            });
          }
        });
        observer.observe(document, { childList: true, subtree: true });
      }, 'api');
      await page.goto(`chrome-extension://${ours}/popup.html`);
      const t = await page.waitForFunction(
        () => {
          const b = (window as unknown as { bench: { typedAt?: number; painted?: number } }).bench;
          return b.painted !== undefined && b;
        },
        undefined,
        { timeout: 60_000, polling: 50 },
      );
      const b = (await t.jsonValue()) as { typedAt: number; painted: number };
      usable.push(b.typedAt);
      results.push(b.painted);
      await page.close();
    }
    row(`popup open → search box usable, ${k}`, p50p90(usable), usable.length);
    row(`popup open → first results painted ("api" typed at once), ${k}`, p50p90(results), results.length);

    // 2. Keystroke → results painted, in one popup with the index loaded; beside the search alone.
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${ours}/popup.html`);
    await popup
      .locator('.repo-sync-text', { hasText: 'repositories · updated' })
      .waitFor({ timeout: 60_000 });
    await sleep(2000); // the recent-repositories refresh on open re-reads the index once
    const { entries, readMs } = await readEntries(control, profileId);
    row(
      `  IndexedDB read of the ${entries.length.toLocaleString('en')} repositories alone (one getAll, extension page), ${k}`,
      ms(readMs),
      1,
    );
    const index = createSearchIndex(entries);
    const sim = sims.get(size)!;
    for (const length of QUERY_LENGTHS) {
      const queries = queriesFrom(sim, length, KEYS, 1000 * length + size);
      const warm = queriesFrom(sim, length, 5, 7 + length);
      const times = await popup.evaluate(
        async ({ queries, warm }) => {
          const input = document.querySelector<HTMLInputElement>('input[aria-label="Search repositories"]')!;
          const list = document.getElementById('repo-results')!;
          /** Resolves after the next frame was painted. */
          const painted = () =>
            new Promise<number>((resolve) =>
              requestAnimationFrame(() => {
                const channel = new MessageChannel();
                channel.port1.onmessage = () => resolve(performance.now());
                channel.port2.postMessage(null);
              }),
            );
          const type = (value: string) => {
            input.value = value;
            input.dispatchEvent(new Event('input', { bubbles: true }));
          };
          const out: Array<number | null> = [];
          for (const [i, q] of [...warm, ...queries].entries()) {
            type('');
            await painted();
            await painted();
            await new Promise((r) => setTimeout(r, 20));
            const t = await new Promise<number | null>((resolve) => {
              let t0 = 0;
              const observer = new MutationObserver(() => {
                observer.disconnect();
                clearTimeout(timer);
                void painted().then((t1) => resolve(t1 - t0));
              });
              const timer = setTimeout(() => {
                observer.disconnect();
                resolve(null);
              }, 5000);
              observer.observe(list, { childList: true, subtree: true, characterData: true });
              t0 = performance.now();
              type(q);
            });
            if (i >= warm.length) out.push(t);
          }
          type('');
          return out;
        },
        { queries, warm },
      );
      const measured = times.filter((t): t is number => t !== null);
      const unchanged = times.length - measured.length;
      row(
        `keystroke → results painted, ${length}-char, ${k}`,
        `${p50p99(measured)}${unchanged ? ` (${unchanged} left the list unchanged)` : ''}`,
        measured.length,
      );

      // The in-memory search alone, in Node, on the same entries and queries (limit 50 as the popup).
      for (const q of [...warm, ...queries]) index.search(q, { limit: 50 });
      const alone: number[] = [];
      for (let pass = 0; pass < 3; pass++) {
        for (const q of queries) {
          const t0 = performance.now();
          index.search(q, { limit: 50 });
          alone.push(performance.now() - t0);
        }
      }
      row(`  search alone (Node), ${length}-char, ${k}`, p50p99(alone), alone.length);
    }
    await popup.close();
  }

  // ── 6. a repository page with and without the extension, interleaved ──
  // Three tabs load the same simulator page in turn: the extension's browser on 127.0.0.1 (a
  // connected server: the content script runs), the same browser on localhost (same server, not
  // connected: no content script), and the browser without the extension.
  const signIn = async (ctx: BrowserContext, base: string) => {
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.locator('input[name="j_username"]').fill('alice');
    await page.locator('input[name="j_password"]').fill('alice');
    await page.locator('form [type="submit"]').first().click();
    await page.waitForLoadState();
    return page;
  };
  const localBase = sim20.url.replace('//127.0.0.1:', '//localhost:');
  const variants = [
    { key: 'with', page: await signIn(context, sim20.url), base: sim20.url, script: true },
    { key: 'bare', page: await signIn(context, localBase), base: localBase, script: false },
    { key: 'without', page: await signIn(plain, sim20.url), base: sim20.url, script: false },
  ] as const;
  await sleep(500);
  // The same observer in every page: from DOMContentLoaded, the first frame painted after the
  // button is in the page with a layout box.
  const observeButton = () => {
    const state: { visible?: number } = {};
    (window as unknown as { bench: typeof state }).bench = state;
    document.addEventListener('DOMContentLoaded', () => {
      const check = () => {
        const host = document.querySelector('[data-bsc-controls]');
        const root = host?.shadowRoot ?? host?.querySelector('bsc-companion-controls')?.shadowRoot;
        const button = root?.querySelector('.bsc-main');
        if (!button || button.getBoundingClientRect().width === 0 || !button.checkVisibility()) return false;
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            state.visible = performance.now();
          };
          channel.port2.postMessage(null);
        });
        return true;
      };
      if (check()) return;
      const observer = new MutationObserver(() => {
        if (check()) observer.disconnect();
      });
      observer.observe(document.documentElement, { childList: true, subtree: true });
    });
  };
  const cdp = new Map<Page, CDPSession>();
  for (const { page } of variants) {
    await page.addInitScript(observeButton);
    const session = await page.context().newCDPSession(page);
    await session.send('Performance.enable');
    cdp.set(page, session);
  }
  const metrics = async (page: Page) => {
    const { metrics } = (await cdp.get(page)!.send('Performance.getMetrics')) as {
      metrics: Array<{ name: string; value: number }>;
    };
    const get = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    return { script: get('ScriptDuration'), task: get('TaskDuration') };
  };
  const ourWorker = () => context.serviceWorkers().find((w) => new URL(w.url()).host === ours);
  const listenForReports = async () => {
    await ourWorker()?.evaluate(() => {
      const g = globalThis as unknown as { reports?: number[] };
      if (g.reports) return;
      g.reports = [];
      chrome.runtime.onMessage.addListener((m: { type?: string }) => {
        if (m?.type === 'page.report') g.reports!.push(Date.now());
      });
    });
  };

  type Load = { load: number; visible?: number; script: number; task: number; report?: number };
  const loads: Record<(typeof variants)[number]['key'], Load[]> = { with: [], bare: [], without: [] };
  const loadOnce = async ({ page, base, script }: (typeof variants)[number]): Promise<Load> => {
    if (script) {
      await listenForReports();
      await ourWorker()?.evaluate(() => {
        (globalThis as unknown as { reports: number[] }).reports.length = 0;
      });
    }
    await page.goto(`${base}/projects/PROJ/repos/api/browse`);
    const nav = await page.evaluate(async (script) => {
      const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const b = (window as unknown as { bench: { visible?: number } }).bench;
      for (let i = 0; script && b.visible === undefined && i < 150; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      // Two frames after load in every page, so late work lands in the metrics alike.
      for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
      return {
        load: entry.loadEventStart,
        dcl: entry.domContentLoadedEventStart,
        dclAt: performance.timeOrigin + entry.domContentLoadedEventStart,
        visible: b.visible,
      };
    }, script);
    // The page's metrics start again with each new document: these are this load's.
    const after = await metrics(page);
    let report: number | undefined;
    for (let wait = 0; script && wait < 100 && report === undefined; wait++) {
      report = await ourWorker()?.evaluate(() => (globalThis as unknown as { reports: number[] }).reports[0]);
      if (report === undefined) await sleep(20);
    }
    return {
      load: nav.load,
      ...(nav.visible !== undefined ? { visible: nav.visible - nav.dcl } : {}),
      script: after.script,
      task: after.task,
      ...(report !== undefined ? { report: report - nav.dclAt } : {}),
    };
  };
  for (let i = 0; i < PAGES; i++) {
    // Each variant first, second and third equally often.
    for (let j = 0; j < variants.length; j++) {
      const variant = variants[(i + j) % variants.length]!;
      loads[variant.key].push(await loadOnce(variant));
    }
  }
  const pick = (list: Load[], f: (l: Load) => number | undefined) =>
    list.map(f).filter((x): x is number => x !== undefined);
  const load = (key: keyof typeof loads) => pick(loads[key], (l) => l.load);
  row('repository page load event, with extension (content script runs)', p50p90(load('with')), PAGES);
  row('  same browser, server not connected (no content script)', p50p90(load('bare')), PAGES);
  row('  browser without the extension', p50p90(load('without')), PAGES);
  row(
    'load event added by the extension (median with − median without; goal ≤ 5 ms)',
    ms(med(load('with')) - med(load('without'))),
    `${PAGES}+${PAGES}`,
  );
  row(
    '  of which the content script (median with − median not connected)',
    ms(med(load('with')) - med(load('bare'))),
    `${PAGES}+${PAGES}`,
  );
  const added = (f: (l: Load) => number, base: keyof typeof loads) => {
    const a = pick(loads.with, f);
    const b = pick(loads[base], f);
    return `${ms(med(a) - med(b))} (${ms(med(a))} vs ${ms(med(b))})`;
  };
  row(
    'main-thread JS time added (CDP ScriptDuration per load, with − without, medians)',
    added((l) => l.script, 'without'),
    `${PAGES}+${PAGES}`,
  );
  row(
    'main-thread busy time added (CDP TaskDuration per load, with − without, medians)',
    added((l) => l.task, 'without'),
    `${PAGES}+${PAGES}`,
  );
  row(
    '  of which the content script (TaskDuration, with − not connected)',
    added((l) => l.task, 'bare'),
    `${PAGES}+${PAGES}`,
  );
  const visible = pick(loads.with, (l) => l.visible);
  row(
    'DOMContentLoaded → "Open in…" painted (goal ≤ 50 ms)',
    visible.length ? p50p90(visible) : 'never seen',
    visible.length,
  );
  const reported = pick(loads.with, (l) => l.report);
  row('DOMContentLoaded → page report reaches the background', p50p90(reported), reported.length);
  for (const { page } of variants) await page.close();

  // ── 5. service-worker cold wake, against the empty extension's worker, interleaved ──
  const emptyPage = await context.newPage();
  await emptyPage.goto(`chrome-extension://${empty}/page.html`);
  const session = await context.newCDPSession(control);
  const running = new Map<string, string>();
  session.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) running.set(v.versionId, v.runningStatus);
  });
  await session.send('ServiceWorker.enable');
  const wake = { ours: [] as number[], empty: [] as number[] };
  for (let i = 0; i < WAKES; i++) {
    for (const which of i % 2 ? (['empty', 'ours'] as const) : (['ours', 'empty'] as const)) {
      await session.send('ServiceWorker.stopAllWorkers');
      for (let w = 0; w < 150 && [...running.values()].some((r) => r !== 'stopped'); w++) await sleep(20);
      await sleep(100);
      const page = which === 'ours' ? control : emptyPage;
      const t = await page.evaluate(async () => {
        const t0 = performance.now();
        await chrome.runtime.sendMessage({ type: 'tab.context', tabId: 1 });
        return performance.now() - t0;
      });
      wake[which].push(t);
    }
  }
  row('service worker cold wake → first answer', p50p90(wake.ours), wake.ours.length);
  row('empty extension worker cold wake → first answer', p50p90(wake.empty), wake.empty.length);
  row(
    'cold wake ÷ empty worker (medians; goal ≤ 2×)',
    `${(med(wake.ours) / med(wake.empty)).toFixed(2)}×`,
    WAKES,
  );

  // ── 6. key generation per type, as the user waits for it ──
  const keyProfile = profileIds.get(20_000)!;
  const sshSpecs = [
    { name: 'Ed25519', request: { keyType: 'ed25519' }, n: KEYGEN * 4 },
    { name: 'RSA 3072', request: { keyType: 'rsa', bits: 3072 }, n: KEYGEN },
    { name: 'RSA 4096', request: { keyType: 'rsa', bits: 4096 }, n: KEYGEN },
  ] as const;
  for (const spec of sshSpecs) {
    const times: number[] = [];
    for (let i = 0; i < spec.n; i++) {
      const { t, reply } = await control.evaluate(
        async (message) => {
          const t0 = performance.now();
          const reply = (await chrome.runtime.sendMessage(message)) as Reply;
          return { t: performance.now() - t0, reply };
        },
        { type: 'keys.ssh.generate', profileId: keyProfile, label: `bench ${i}`, ...spec.request },
      );
      if (!reply.ok) throw new Error(`generating ${spec.name} failed: ${reply.error?.message}`);
      times.push(t);
    }
    row(
      `SSH key generation ${spec.name} (message → key saved, in the background)`,
      p50p90(times),
      times.length,
    );
  }
  // GPG: in the popup, as a user does it; the first key of a popup also loads OpenPGP.js.
  const gpgPopup = await context.newPage();
  await gpgPopup.goto(`chrome-extension://${ours}/popup.html`);
  await gpgPopup.getByRole('tab', { name: 'Keys' }).click();
  const gpgForm = gpgPopup.locator('form.gpg-generate');
  const gpgTimes: number[] = [];
  for (let i = 0; i < KEYGEN + 1; i++) {
    const before = await gpgPopup.locator('li.gpg-key').count();
    await gpgForm.locator('input[name="gpg-email"]').fill('alice@example.com');
    await gpgForm.locator('input[name="gpg-passphrase"]').fill('bench passphrase 1');
    await gpgForm.locator('input[name="gpg-passphrase-repeat"]').fill('bench passphrase 1');
    const t0 = await gpgPopup.evaluate(() => performance.now());
    await gpgForm.getByRole('button', { name: /Generate GPG key/ }).click();
    await gpgPopup.locator('li.gpg-key').nth(before).waitFor({ timeout: 60_000 });
    gpgTimes.push((await gpgPopup.evaluate(() => performance.now())) - t0);
  }
  await gpgPopup.close();
  row('GPG key generation, first in a popup (click → key shown, loads OpenPGP.js)', ms(gpgTimes[0]!), 1);
  row('GPG key generation, later ones (click → key shown)', p50p90(gpgTimes.slice(1)), gpgTimes.length - 1);
} finally {
  await context.close().catch(() => {});
  await plain.close().catch(() => {});
  for (const sim of sims.values()) await sim.close();
  rmSync(work, { recursive: true, force: true });
}

const widths = [0, 1, 2].map((c) =>
  Math.max(...table.map((r) => r[c]!.length), ['what', 'result', 'n'][c]!.length),
);
const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ');
console.log(`\n${line(['what', 'result', 'n'])}`);
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of table) console.log(line(r));
