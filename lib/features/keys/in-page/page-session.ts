/**
 * What the keys page's content script learns from the page itself and does with its session: who is
 * signed in, where the server's base URL is, and the same-origin REST write of a key with the
 * page's cookies (never a token). No answer from the background is needed for any of it.
 *
 * Firefox: a content script's global `fetch` there is the extension's own (it sends no page Origin
 * or Referer); `content.fetch` makes the request as the page does, so it is used where it exists.
 * Chrome's content-script `fetch` already acts for the page's origin. See README, "Keys".
 */
import { SELECTORS } from '../../../bitbucket/selectors';

export type PageFetch = (input: string, init?: RequestInit) => Promise<Response>;

/** The fetch that sends a request as the page would (Firefox's `content.fetch`, else `fetch`). */
export function pageFetch(): PageFetch {
  const content = (globalThis as { content?: { fetch?: PageFetch } }).content;
  if (typeof content?.fetch === 'function') return content.fetch.bind(content);
  return globalThis.fetch.bind(globalThis);
}

export type KeyKind = 'ssh' | 'gpg';

const KEYS_PATH = /\/plugins\/servlet\/(ssh|gpg)\/account\/keys(?:\/add)?\/?$/;

/** Which keys page this is (`/plugins/servlet/ssh/account/keys`, `…/gpg/…`, `…/add`), any context path. */
export function keysPageOf(location: {
  origin: string;
  pathname: string;
}): { kind: KeyKind; baseUrl: string } | null {
  const match = KEYS_PATH.exec(location.pathname);
  if (!match) return null;
  return { kind: match[1] as KeyKind, baseUrl: location.origin + location.pathname.slice(0, match.index) };
}

/** The server's login page (`<context path>/login`). */
export function isLoginPage(pathname: string): boolean {
  return /\/login\/?$/.test(pathname);
}

/**
 * The signed-in user's name as the page shows it: the header avatar's `data-username`, else the base
 * layout script's `onReady({… name : "…" …})`; null when nobody is signed in (or the page doesn't say).
 */
export function pageUserName(doc: Document): string | null {
  const fromHeader = doc.querySelector(SELECTORS.currentUser)?.getAttribute('data-username');
  if (fromHeader) return fromHeader;
  for (const script of doc.querySelectorAll(SELECTORS.inlineScripts)) {
    const code = script.textContent ?? '';
    const at = code.indexOf("layout/base/base').onReady(");
    if (at < 0) continue;
    const match = /^\s*\{[^}]*?\bname\s*:\s*("(?:[^"\\]|\\.)*")/.exec(code.slice(at + 27));
    if (!match?.[1]) return null;
    try {
      return JSON.parse(match[1]) as string;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Who the server says the session belongs to: the `X-AUSERNAME` header of a same-origin REST answer.
 * null when it says nobody (or `anonymous`); undefined when it doesn't say (a proxy may strip it).
 */
export async function sessionUserName(
  fetchFn: PageFetch,
  baseUrl: string,
): Promise<string | null | undefined> {
  const res = await fetchFn(`${baseUrl}/rest/api/1.0/application-properties`, {
    credentials: 'include',
    redirect: 'manual',
    headers: { accept: 'application/json' },
  });
  if (res.type === 'opaqueredirect' || !res.ok) return undefined;
  const header = res.headers.get('x-ausername');
  if (header === null) return undefined;
  let name = header;
  try {
    name = decodeURIComponent(header);
  } catch {
    // Not percent-encoded: the header as it is.
  }
  return name && name !== 'anonymous' ? name : null;
}

export interface KeyToAdd {
  kind: KeyKind;
  label: string;
  publicText: string;
  fingerprint: string;
}

export type SessionAddResult =
  | { status: 'added'; serverKeyId?: number }
  /** The server had it already, on this account. */
  | { status: 'already' }
  /** The server has it on another account. */
  | { status: 'elsewhere' }
  /** The server refused the key; `message` is its reason. */
  | { status: 'refused'; message: string }
  /** The session is gone (signed out, expired, or a login page answered). */
  | { status: 'signed-out' }
  | { status: 'failed'; message: string };

async function errorMessage(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { errors?: Array<{ message?: unknown; exceptionName?: unknown }> };
    const message = body.errors?.[0]?.message;
    return typeof message === 'string' && message.trim() ? message.trim() : undefined;
  } catch {
    return undefined;
  }
}

const bareFingerprint = (fp: unknown) =>
  typeof fp === 'string'
    ? fp
        .replace(/^SHA256:/, '')
        .replace(/[^0-9A-Za-z+/]/g, '')
        .toUpperCase()
    : '';

/** Whether the account's list (read with the same session) has a key of this fingerprint. */
async function listedOnAccount(
  fetchFn: PageFetch,
  baseUrl: string,
  key: KeyToAdd,
): Promise<boolean | undefined> {
  const res = await fetchFn(`${baseUrl}/rest/${key.kind}/1.0/keys?limit=1000`, {
    credentials: 'include',
    redirect: 'manual',
    headers: { accept: 'application/json' },
  }).catch(() => undefined);
  if (!res?.ok) return undefined;
  const body = (await res.json().catch(() => undefined)) as
    | { values?: Array<{ fingerprint?: unknown }> }
    | undefined;
  if (!Array.isArray(body?.values)) return undefined;
  const wanted = bareFingerprint(key.fingerprint);
  return body.values.some((k) => bareFingerprint(k.fingerprint) === wanted);
}

/**
 * Adds the key to the signed-in account with the page's session: `POST <base>/rest/ssh/1.0/keys`
 * (`{text, label}`) or `…/gpg/1.0/keys` (`{text}`), `X-Atlassian-Token: no-check` for the server's
 * XSRF check, cookies included, redirects not followed. Never throws.
 */
export async function addKeyThroughSession(
  fetchFn: PageFetch,
  baseUrl: string,
  key: KeyToAdd,
): Promise<SessionAddResult> {
  let res: Response;
  try {
    res = await fetchFn(`${baseUrl}/rest/${key.kind}/1.0/keys`, {
      method: 'POST',
      credentials: 'include',
      redirect: 'manual',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-atlassian-token': 'no-check',
      },
      body: JSON.stringify(
        key.kind === 'ssh' ? { text: key.publicText, label: key.label } : { text: key.publicText },
      ),
    });
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  if (res.type === 'opaqueredirect') return { status: 'signed-out' };
  const json = (res.headers.get('content-type') ?? '').includes('json');
  if (res.ok && json) {
    const body = (await res.json().catch(() => ({}))) as { id?: unknown };
    return typeof body.id === 'number' ? { status: 'added', serverKeyId: body.id } : { status: 'added' };
  }
  if (res.ok) return { status: 'signed-out' };
  if (res.status === 401) return { status: 'signed-out' };
  const message = json ? await errorMessage(res) : undefined;
  // SSH answers a key the server has already with 409; GPG with a 400.
  if (res.status === 409 || (res.status === 400 && key.kind === 'gpg' && /already/i.test(message ?? ''))) {
    const listed = await listedOnAccount(fetchFn, baseUrl, key);
    return listed === false ? { status: 'elsewhere' } : { status: 'already' };
  }
  if (res.status === 400) return { status: 'refused', message: message ?? 'The server refused the key.' };
  return {
    status: 'failed',
    message: message ?? `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`,
  };
}
