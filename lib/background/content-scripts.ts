import { browser } from 'wxt/browser';

/**
 * Content scripts are registered at runtime, one registration per connected server and page type,
 * so a pattern the browser rejects costs that one server that one page type and nothing else.
 *
 * This module owns every content script the extension registers: a sync leaves exactly the wanted
 * set behind and unregisters anything else (such as the single 'bitbucket-page' registration for all
 * servers that earlier versions saved with persistAcrossSessions).
 */

/** One kind of Bitbucket page with its own content script. */
export interface PageType {
  /** Second part of the registration id `page:<name>:<server root>`. */
  name: string;
  /** Built content script files (WXT writes a runtime content script to content-scripts/<entry>.js). */
  js: readonly string[];
  /** Match-pattern paths under the server's base URL (literal except for `*`). */
  paths: readonly string[];
  /** Paths among those that another page type's script handles instead (its `excludeMatches`). */
  excludePaths?: readonly string[];
}

/** A repository's pages, its pull requests included: `/projects/KEY/repos/slug/…`, `/users/name/repos/slug/…`. */
const REPOSITORY_PATHS = ['/projects/*/repos/*', '/users/*/repos/*'] as const;

/**
 * Every page type with a content script. A new in-page feature for another kind of page adds an
 * entry here, with its own script file.
 */
export const PAGE_TYPES: readonly PageType[] = [
  {
    // Project, personal project and dashboard pages: the page report only.
    name: 'pages',
    js: ['content-scripts/content.js'],
    paths: ['/projects/*', '/users/*', '/dashboard*'],
    excludePaths: REPOSITORY_PATHS,
  },
  {
    // Repository pages: "Open in…" and "Remotes" beside Clone, "Create pull request" beside the
    // branch selector and in the branch list; its script reports the page too, so each page loads
    // one script.
    name: 'repository',
    js: ['content-scripts/repository.js'],
    paths: REPOSITORY_PATHS,
  },
  {
    // The account SSH and GPG keys pages: "Add key from Companion", and a key the popup asked to add
    // through the browser session; the login page, to say who to log in as while such a key waits.
    name: 'keys-page',
    js: ['content-scripts/keys-page.js'],
    paths: ['/plugins/servlet/ssh/account/keys*', '/plugins/servlet/gpg/account/keys*', '/login*'],
  },
];

const RUN_AT = 'document_end';

export interface PatternOptions {
  /** Firefox match patterns can't carry a port: there a pattern covers every port of the host. */
  firefox?: boolean;
}

/**
 * `scheme://host[:port]/context-path` of a base URL, the common prefix of its patterns; null for
 * anything that is not a plain http(s) URL a match pattern can express (javascript:, data:, file:,
 * a `*` in the path, which a pattern would read as a wildcard).
 */
export function serverRoot(baseUrl: string, options: PatternOptions = {}): string | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname || url.pathname.includes('*')) return null;
  const host = options.firefox ? url.hostname : url.host;
  return `${url.protocol}//${host}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Match patterns for one page type (by default every page type) of one server; empty when the base
 * URL can't be expressed as a pattern. Only the pages the scripts handle are matched, so other
 * pages of the server pay nothing.
 */
export function pagePatterns(
  baseUrl: string,
  options: PatternOptions & { pageType?: PageType } = {},
): string[] {
  const root = serverRoot(baseUrl, options);
  if (root === null) return [];
  const types = options.pageType ? [options.pageType] : PAGE_TYPES;
  return types.flatMap((type) => type.paths.map((path) => root + path));
}

export const registrationId = (pageType: PageType, root: string) =>
  `page:${pageType.name}:${encodeURIComponent(root)}`;

export interface WantedRegistration {
  id: string;
  js: string[];
  matches: string[];
  excludeMatches?: string[];
  runAt: typeof RUN_AT;
  persistAcrossSessions: true;
}

/**
 * The registrations the given servers need: one per distinct server root and page type (two
 * profiles of one server share theirs). Base URLs no pattern can express are returned as skipped.
 */
export function wantedRegistrations(
  baseUrls: readonly string[],
  options: PatternOptions = {},
): { wanted: WantedRegistration[]; skipped: string[] } {
  const wanted = new Map<string, WantedRegistration>();
  const skipped: string[] = [];
  for (const baseUrl of baseUrls) {
    const root = serverRoot(baseUrl, options);
    if (root === null) {
      skipped.push(baseUrl);
      continue;
    }
    for (const pageType of PAGE_TYPES) {
      const id = registrationId(pageType, root);
      wanted.set(id, {
        id,
        js: [...pageType.js],
        matches: pageType.paths.map((path) => root + path),
        ...(pageType.excludePaths?.length
          ? { excludeMatches: pageType.excludePaths.map((path) => root + path) }
          : {}),
        runAt: RUN_AT,
        persistAcrossSessions: true,
      });
    }
  }
  return { wanted: [...wanted.values()], skipped };
}

/** What one sync did. It never throws: every failure is listed here (and logged). */
export interface SyncSummary {
  registered: string[];
  unregistered: string[];
  /** Already registered exactly as wanted. */
  kept: string[];
  /** Base URLs no pattern can express; nothing was registered for them. */
  skipped: string[];
  failures: Array<{ id: string; message: string }>;
}

interface RegisteredScript {
  id: string;
  js?: string[];
  matches?: string[];
  excludeMatches?: string[];
  runAt?: string;
}

const sameSet = (a: readonly string[] = [], b: readonly string[] = []) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** Whether a registration saved earlier (perhaps by an older version) is exactly the wanted one. */
function isCurrent(registered: RegisteredScript, wanted: WantedRegistration): boolean {
  return (
    sameSet(registered.js, wanted.js) &&
    sameSet(registered.matches, wanted.matches) &&
    sameSet(registered.excludeMatches, wanted.excludeMatches) &&
    (registered.runAt ?? 'document_idle') === wanted.runAt
  );
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

let queue: Promise<unknown> = Promise.resolve();

/** Runs syncs one after another (a grant and a connect may both ask at once); never rejects. */
function enqueue(task: () => Promise<SyncSummary>): Promise<SyncSummary> {
  const run = queue.then(task).catch((error): SyncSummary => {
    console.warn('Content scripts could not be synced', error);
    return { ...emptySummary(), failures: [{ id: '(sync)', message: messageOf(error) }] };
  });
  queue = run;
  return run;
}

/** Makes the registered content scripts exactly those the given servers need. Never rejects. */
export function syncContentScripts(
  baseUrls: readonly string[],
  options: PatternOptions = { firefox: import.meta.env.FIREFOX },
): Promise<SyncSummary> {
  return enqueue(() => sync(baseUrls, options));
}

/**
 * Syncs for the servers `listBaseUrls` names, read when the sync's turn comes so the latest write
 * counts. Failing to list them is reported like any other failure: a caller that has just saved
 * something can await this without its result ever turning into an error.
 */
export function resyncContentScripts(
  listBaseUrls: () => Promise<readonly string[]>,
  options: PatternOptions = { firefox: import.meta.env.FIREFOX },
): Promise<SyncSummary> {
  return enqueue(async () => {
    let baseUrls: readonly string[];
    try {
      baseUrls = await listBaseUrls();
    } catch (error) {
      console.warn('Content scripts not synced: the servers could not be listed', error);
      return { ...emptySummary(), failures: [{ id: '(servers)', message: messageOf(error) }] };
    }
    return sync(baseUrls, options);
  });
}

const emptySummary = (): SyncSummary => ({
  registered: [],
  unregistered: [],
  kept: [],
  skipped: [],
  failures: [],
});

async function sync(baseUrls: readonly string[], options: PatternOptions): Promise<SyncSummary> {
  const { wanted, skipped } = wantedRegistrations(baseUrls, options);
  const summary: SyncSummary = { ...emptySummary(), skipped };
  const fail = (id: string, error: unknown) => {
    const message = messageOf(error);
    summary.failures.push({ id, message });
    console.warn(`Content script registration ${id}: ${message}`);
  };
  for (const baseUrl of skipped) {
    console.warn(`No content scripts for ${JSON.stringify(baseUrl)}: not an http(s) server URL.`);
  }

  let registered: RegisteredScript[] = [];
  try {
    registered = await browser.scripting.getRegisteredContentScripts();
  } catch (error) {
    // Carry on: registering what is missing is still worth trying.
    fail('(list)', error);
  }

  const wantedById = new Map(wanted.map((w) => [w.id, w]));
  const current = new Set<string>();
  for (const script of registered) {
    const want = wantedById.get(script.id);
    if (want && isCurrent(script, want)) {
      current.add(script.id);
      continue;
    }
    try {
      await browser.scripting.unregisterContentScripts({ ids: [script.id] });
      summary.unregistered.push(script.id);
    } catch (error) {
      fail(script.id, error);
    }
  }
  for (const want of wanted) {
    if (current.has(want.id)) {
      summary.kept.push(want.id);
      continue;
    }
    try {
      await browser.scripting.registerContentScripts([want]);
      summary.registered.push(want.id);
    } catch (error) {
      fail(want.id, error);
    }
  }
  return summary;
}
