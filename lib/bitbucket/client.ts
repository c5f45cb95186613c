import * as v from 'valibot';
import { capText } from '../messaging/limits';
import { BitbucketError, explain } from './errors';
import { type OperationId, operationInfo } from './permissions';
import { tokenScrubber } from './scrub';

export type QueryValue = string | number | boolean | undefined | readonly string[];
export type Query = Record<string, QueryValue>;
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface BitbucketClientOptions {
  /** Normalised server URL: origin plus context path, no trailing slash (see normaliseServerUrl). */
  baseUrl: string;
  /** HTTP access token, sent as `Authorization: Bearer`. Omit for anonymous requests. */
  token?: string | undefined;
  /** Per attempt; default 15 s. */
  timeoutMs?: number | undefined;
  fetch?: typeof fetch | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

export interface RequestOptions<T> {
  /** Which of our operations this is: decides the permission named when the server refuses. */
  operation: OperationId;
  query?: Query | undefined;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as multipart/form-data instead (the file-edit API); not together with `body`. */
  form?: FormData | undefined;
  /** Validates the answer; without one, `data` is the parsed JSON as it came. */
  schema?: v.GenericSchema<unknown, T> | undefined;
  signal?: AbortSignal | undefined;
}

export interface PagedRequestOptions<T> extends Omit<RequestOptions<unknown>, 'schema' | 'body' | 'form'> {
  itemSchema: v.GenericSchema<unknown, T>;
  /** Page size asked for; default 100. */
  limit?: number | undefined;
  /** Stop after this many pages even if the server has more; default 100. */
  maxPages?: number | undefined;
  /** Where to begin; default the first item. */
  start?: number | undefined;
}

export interface BitbucketResponse<T> {
  /** The validated answer; undefined for 204 No Content. */
  data: T;
  status: number;
  /** `X-AUSERNAME`: the user the server thinks made the request; null when absent or anonymous. */
  username: string | null;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** A GET answered 429 is retried once if the server asks to wait at most this long. */
const MAX_RETRY_AFTER_SECONDS = 10;
/** Wait before retrying a GET answered 502/503/504 when the server gives no Retry-After. */
const GATEWAY_RETRY_MS = 1_000;
const RETRIED_GATEWAY_STATUSES = new Set([502, 503, 504]);

/**
 * How much of an answer the client reads, by kind of call; past it, it stops reading and refuses the
 * answer. Each is a generous multiple of the largest real answer:
 * - small: application properties (~200 bytes), one user (~1 KB with its links), a new SSH key (an
 *   RSA 16384 public key is under 3 KB).
 * - object: one project, repository, pull request (a description of 32 K characters is ~200 KB as
 *   escaped JSON), a commit, a GPG key with its subkeys.
 * - page: a page of up to 1000 items (1000 repositories from a real server are 2–3 MB; 1000 pull
 *   requests, each with both repositories, reviewers and a description, can be ten times that).
 */
export const ANSWER_LIMITS = {
  small: 64 * 1024,
  object: 1024 * 1024,
  page: 32 * 1024 * 1024,
} as const;
export type AnswerSize = keyof typeof ANSWER_LIMITS;

/** The calls whose answers are not one object; every call made through `pages` reads pages. */
const ANSWER_SIZES: Partial<Record<OperationId, AnswerSize>> = {
  'server.properties': 'small',
  'users.get': 'small',
  'ssh-keys.add': 'small',
  'users.search': 'page',
  'projects.list': 'page',
  'repos.list': 'page',
  'repos.forks': 'page',
  'repos.related': 'page',
  'branches.list': 'page',
  'commits.compare': 'page',
  'pull-requests.list': 'page',
  'pull-requests.participants': 'page',
  'dashboard.pull-requests': 'page',
  // A plain array of users, not paged.
  'default-reviewers.get': 'page',
  'reviewer-groups.list': 'page',
  'reviewer-groups.project': 'page',
  'ssh-keys.list': 'page',
  'gpg-keys.list': 'page',
};

/**
 * Answers the client only looks at (error bodies, web pages instead of data) are read this far: the
 * beginning says what they are, and the server's own messages are short.
 */
export const GLANCE_LIMIT = 64 * 1024;

/** The page envelope every paged Bitbucket resource uses. */
const PageSchema = v.object({
  values: v.array(v.unknown()),
  isLastPage: v.boolean(),
  nextPageStart: v.nullish(v.number()),
});

const ErrorBodySchema = v.object({
  errors: v.array(
    v.object({
      message: v.nullish(v.string()),
      exceptionName: v.nullish(v.string()),
    }),
  ),
});

/** The server's own messages quoted in a sentence: Bitbucket's are one line each, and one or two. */
const MAX_SERVER_MESSAGES = 5;
const MAX_SERVER_MESSAGE_LENGTH = 1_000;

interface ErrorBody {
  messages: string[];
  exceptionNames: string[];
}

function readErrorBody(text: string): ErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { messages: [], exceptionNames: [] };
  }
  const parsed = v.safeParse(ErrorBodySchema, json);
  if (!parsed.success) return { messages: [], exceptionNames: [] };
  return {
    messages: parsed.output.errors
      .slice(0, MAX_SERVER_MESSAGES)
      .flatMap((e) => (e.message?.trim() ? [capText(e.message.trim(), MAX_SERVER_MESSAGE_LENGTH)] : [])),
    exceptionNames: parsed.output.errors.flatMap((e) => (e.exceptionName ? [e.exceptionName] : [])),
  };
}

/** Bitbucket's own login form, or a SAML/OIDC single sign-on hand-off. */
export function looksLikeLoginPage(text: string): boolean {
  return /j_atl_security_check|name=["']?j_username|id=["']?login-form|SAMLRequest|saml2?\/|openid-connect|oauth2\/authorize/i.test(
    text,
  );
}

const isHtmlType = (contentType: string) => /text\/html|application\/xhtml/i.test(contentType);

function looksLikeHtml(contentType: string, text: string): boolean {
  return isHtmlType(contentType) || /^\s*<(!doctype|html|head|body)/i.test(text);
}

/** A sign-in page's address: the server's login, or a single sign-on hand-off. */
function looksLikeSignInAddress(url: URL): boolean {
  return /log-?in|log-?on|sign-?in|saml|sso|oauth|openid|oidc|authori[sz]e|j_atl_security|adfs|\/cas\//i.test(
    url.pathname + url.search,
  );
}

const isRedirect = (response: Response) =>
  response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);

interface Body {
  text: string;
  /** False when the body was longer than the limit and only its beginning was read. */
  complete: boolean;
}

/**
 * The body as text, reading at most `maxBytes` of it: past that the rest is never read (the stream
 * is cancelled, which closes the connection), and only the beginning is returned.
 */
async function readBody(response: Response, maxBytes: number): Promise<Body> {
  if (!response.body) return { text: '', complete: true };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), complete: true };
    if (size + value.byteLength > maxBytes) {
      text += decoder.decode(value.subarray(0, maxBytes - size));
      reader.cancel().catch(() => undefined);
      return { text, complete: false };
    }
    size += value.byteLength;
    text += decoder.decode(value, { stream: true });
  }
}

/** Seconds from a `Retry-After` header (either seconds or an HTTP date); undefined when absent. */
function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** 401 with a token: a bad token, or a good token without the permission? */
function isPermissionRefusal({ exceptionNames, messages }: ErrorBody): boolean {
  if (exceptionNames.some((name) => /Authori[sz]ationException$/.test(name))) return true;
  if (exceptionNames.some((name) => /Authentication|IncorrectPassword|Credentials|Token/i.test(name))) {
    return false;
  }
  return messages.some((m) => /not permitted|insufficient permission|not authori[sz]ed to/i.test(m));
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The request was aborted.', 'AbortError');
}

function abortableSleep(sleep: (ms: number) => Promise<void>, ms: number, signal?: AbortSignal) {
  if (!signal) return sleep(ms);
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The REST client for one Bitbucket Server / Data Center and one token. It runs in the background
 * (MV3 service worker): plain fetch, no cookies, no redirects followed. Every failure becomes a
 * BitbucketError whose message tells the user what to do.
 *
 * Retries: only GET, only once, only after 429 with a short Retry-After or after 502/503/504.
 * A 401 is never retried: repeated failed logins can lock the account.
 */
export class BitbucketClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #scrub: (text: string) => string;

  constructor(options: BitbucketClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token || undefined;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Looked up at call time, and never called as a method of another object ("Illegal invocation").
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = options.sleep ?? defaultSleep;
    this.#scrub = tokenScrubber(this.#token);
  }

  /** Whether requests carry a token. */
  get authenticated(): boolean {
    return this.#token !== undefined;
  }

  /** The absolute URL of a REST path with its query; arrays become repeated parameters. */
  url(path: string, query?: Query): string {
    if (!path.startsWith('/rest/')) {
      // Tokens only work on /rest (and /scm); anywhere else the server redirects to its login page.
      throw new Error(`BitbucketClient only calls REST paths (/rest/…), not ${path}`);
    }
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (typeof value === 'object') for (const item of value) url.searchParams.append(key, item);
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  get<T = unknown>(path: string, options: RequestOptions<T>) {
    return this.request<T>('GET', path, options);
  }
  post<T = unknown>(path: string, options: RequestOptions<T>) {
    return this.request<T>('POST', path, options);
  }
  put<T = unknown>(path: string, options: RequestOptions<T>) {
    return this.request<T>('PUT', path, options);
  }
  delete<T = unknown>(path: string, options: RequestOptions<T>) {
    return this.request<T>('DELETE', path, options);
  }

  request<T = unknown>(
    method: Method,
    path: string,
    options: RequestOptions<T>,
  ): Promise<BitbucketResponse<T>> {
    return this.#request(method, path, options, ANSWER_SIZES[options.operation] ?? 'object');
  }

  async #request<T>(
    method: Method,
    path: string,
    options: RequestOptions<T>,
    size: AnswerSize,
  ): Promise<BitbucketResponse<T>> {
    const url = this.url(path, options.query);
    let retried = false;
    for (;;) {
      if (options.signal?.aborted) throw abortError(options.signal);
      try {
        return await this.#attempt(method, url, options, ANSWER_LIMITS[size]);
      } catch (error) {
        const waitMs = retried || method !== 'GET' ? undefined : retryDelay(error);
        if (waitMs === undefined) throw this.#withoutToken(error);
        retried = true;
        await abortableSleep(this.#sleep, waitMs, options.signal);
      }
    }
  }

  async #attempt<T>(
    method: Method,
    url: string,
    options: RequestOptions<T>,
    maxBytes: number,
  ): Promise<BitbucketResponse<T>> {
    const { operation, signal } = options;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    // Atlassian's XSRF check: REST writes without this header are refused.
    if (method !== 'GET') headers['X-Atlassian-Token'] = 'no-check';
    let body: string | FormData | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    } else if (options.form !== undefined) {
      // fetch writes the multipart Content-Type with its boundary itself.
      body = options.form;
    }

    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const onCallerAbort = () => timeout.abort();
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    let response: Response;
    let answer: Body;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        credentials: 'omit',
        cache: 'no-store',
        signal: timeout.signal,
      });
      if (isRedirect(response)) {
        response.body?.cancel().catch(() => undefined);
        throw this.#redirectFailure(
          response.status,
          operation,
          new URL(url),
          await this.#redirectLanding(response, url, timeout.signal),
        );
      }
      // What is only looked at is read to its beginning; data is read up to the limit of its call,
      // and not at all when the server announces more.
      const contentType = response.headers.get('content-type') ?? '';
      const glance = response.status >= 400 || isHtmlType(contentType);
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (!glance && declared > maxBytes) {
        response.body?.cancel().catch(() => undefined);
        throw this.#tooLarge(response.status, operation, maxBytes);
      }
      answer = await readBody(response, glance ? Math.min(maxBytes, GLANCE_LIMIT) : maxBytes);
    } catch (error) {
      if (error instanceof BitbucketError) throw error;
      if (signal?.aborted) throw abortError(signal);
      if (timeout.signal.aborted) {
        throw new BitbucketError(
          'timeout',
          explain.timeout(this.baseUrl, Math.ceil(this.#timeoutMs / 1000)),
          {
            operation,
          },
        );
      }
      if (error instanceof TypeError) {
        throw new BitbucketError('offline', explain.offline(this.baseUrl), { operation });
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
    return this.#interpret(response, answer, options, maxBytes);
  }

  #interpret<T>(
    response: Response,
    { text, complete }: Body,
    options: RequestOptions<T>,
    maxBytes: number,
  ): BitbucketResponse<T> {
    const { operation } = options;
    const status = response.status;
    const loginRedirect = () =>
      new BitbucketError('login-redirect', explain.loginRedirect(this.baseUrl), { status, operation });

    const contentType = response.headers.get('content-type') ?? '';
    const html = looksLikeHtml(contentType, text);
    if (html && looksLikeLoginPage(text)) throw loginRedirect();
    if (status >= 400) throw this.#failure(response, text, operation);
    if (!complete && !html) throw this.#tooLarge(status, operation, maxBytes);

    const rawUser = response.headers.get('x-ausername')?.trim();
    const username = rawUser && rawUser.toLowerCase() !== 'anonymous' ? rawUser : null;
    if (html) throw new BitbucketError('not-json', explain.notJson(this.baseUrl), { status, operation });

    let json: unknown;
    if (status === 204 || status === 205) {
      return { data: undefined as T, status, username };
    }
    if (text.trim() === '') {
      json = undefined;
    } else {
      try {
        json = JSON.parse(text);
      } catch {
        if (looksLikeLoginPage(text)) throw loginRedirect();
        throw new BitbucketError('not-json', explain.notJson(this.baseUrl), { status, operation });
      }
    }
    if (!options.schema) return { data: json as T, status, username };
    const parsed = v.safeParse(options.schema, json);
    if (!parsed.success) {
      throw new BitbucketError('invalid-response', explain.invalidResponse(operation), {
        status,
        operation,
        cause: describeIssues(parsed.issues),
      });
    }
    return { data: parsed.output, status, username };
  }

  #failure(response: Response, text: string, operation: OperationId): BitbucketError {
    const status = response.status;
    const body = readErrorBody(text);
    const serverMessages = body.messages;
    const details = { status, operation, serverMessages, serverBody: text };
    const required = operationInfo(operation).permission ?? undefined;

    if (status === 401) {
      if (!this.#token) {
        return new BitbucketError('missing-permission', explain.signInRequired(this.baseUrl, operation), {
          ...details,
          requiredPermission: required,
        });
      }
      if (isPermissionRefusal(body)) {
        return new BitbucketError('missing-permission', explain.missingPermission(operation), {
          ...details,
          requiredPermission: required,
        });
      }
      return new BitbucketError('bad-token', explain.badToken(this.baseUrl), details);
    }
    if (status === 403) {
      // Rare in Bitbucket (it uses 401 for permissions); e.g. a project token without a user.
      return new BitbucketError('missing-permission', explain.missingPermission(operation, serverMessages), {
        ...details,
        requiredPermission: required,
      });
    }
    if (status === 404) {
      return new BitbucketError('not-found', explain.notFound(operation, serverMessages), details);
    }
    if (status === 409) {
      return new BitbucketError('conflict', explain.conflict(operation, serverMessages), details);
    }
    if (status === 429) {
      const seconds = retryAfterSeconds(response.headers);
      return new BitbucketError('rate-limited', explain.rateLimited(seconds), {
        ...details,
        retryAfterSeconds: seconds,
      });
    }
    if (status >= 500) {
      return new BitbucketError('server-error', explain.serverError(this.baseUrl, status), {
        ...details,
        retryAfterSeconds: retryAfterSeconds(response.headers),
      });
    }
    return new BitbucketError('bad-request', explain.badRequest(operation, status, serverMessages), details);
  }

  #tooLarge(status: number, operation: OperationId, maxBytes: number): BitbucketError {
    return new BitbucketError('too-large', explain.tooLarge(this.baseUrl, operation, maxBytes), {
      status,
      operation,
    });
  }

  /**
   * Where a redirect leads, when that can be seen. A plain 3xx names it in Location. In the browser a
   * redirect that isn't followed is opaque, so it is followed once more by an anonymous GET (no
   * token): a redirect to the server's own origin (its login, a single sign-on hand-off there) ends
   * on a page that can be read; one to another origin fails, as the extension has no permission
   * there. Only asked for http:// addresses, where the answer changes what to tell the user.
   */
  async #redirectLanding(response: Response, url: string, signal: AbortSignal): Promise<URL | undefined> {
    if (new URL(this.baseUrl).protocol !== 'http:') return undefined;
    if (response.type !== 'opaqueredirect') {
      const location = response.headers.get('location');
      if (!location) return undefined;
      try {
        return new URL(location, url);
      } catch {
        return undefined;
      }
    }
    try {
      const followed = await this.#fetch(url, {
        method: 'GET',
        headers: { Accept: 'application/json' },
        redirect: 'follow',
        credentials: 'omit',
        cache: 'no-store',
        signal,
      });
      followed.body?.cancel().catch(() => undefined);
      return followed.url ? new URL(followed.url) : undefined;
    } catch (error) {
      if (signal.aborted) throw error;
      return undefined;
    }
  }

  /**
   * A redirect instead of an answer. For https:// addresses it is a login or single sign-on page in
   * the way. For http:// ones it is often the server moving to https:// (or to another address),
   * told apart from a login on the same origin, or an outside sign-on page, by where it leads.
   */
  #redirectFailure(
    status: number,
    operation: OperationId,
    requested: URL,
    landing: URL | undefined,
  ): BitbucketError {
    const loginRedirect = new BitbucketError('login-redirect', explain.loginRedirect(this.baseUrl), {
      status,
      operation,
    });
    const base = new URL(this.baseUrl);
    if (base.protocol !== 'http:') return loginRedirect;
    const redirect = (target?: string) =>
      new BitbucketError('redirect', explain.redirect(this.baseUrl, target), { status, operation });
    if (!landing || !/^https?:$/.test(landing.protocol)) return redirect();
    const upgrade = landing.protocol === 'https:' && landing.hostname === base.hostname;
    if (!upgrade && looksLikeSignInAddress(landing)) return loginRedirect;
    const target = this.#newAddress(requested, landing);
    return target === this.baseUrl ? loginRedirect : redirect(target);
  }

  /**
   * The server address a redirect suggests: where it leads, less the REST path asked for when it
   * kept it (so `…/bitbucket/rest/api/1.0/x` suggests `…/bitbucket`), else just its origin.
   */
  #newAddress(requested: URL, landing: URL): string {
    const restPath = requested.pathname.slice(new URL(this.baseUrl).pathname.replace(/\/$/, '').length);
    const kept = landing.pathname.endsWith(restPath) ? landing.pathname.slice(0, -restPath.length) : '';
    const address = `${landing.protocol}//${landing.host}${kept.replace(/\/+$/, '')}`;
    return address.length <= 300 ? address : landing.origin;
  }

  /**
   * Servers sometimes echo request data in messages, in any form (URL-encoded, re-cased, base64):
   * every error leaving the client has the token scrubbed from its sentence, the server's messages
   * and its cause.
   */
  #withoutToken(error: unknown): unknown {
    if (!(error instanceof BitbucketError) || !this.#token) return error;
    const cause = error.cause;
    return new BitbucketError(error.kind, this.#scrub(error.message), {
      status: error.status,
      operation: error.operation,
      requiredPermission: error.requiredPermission,
      retryAfterSeconds: error.retryAfterSeconds,
      serverMessages: error.serverMessages.map(this.#scrub),
      serverBody: error.serverBody === undefined ? undefined : this.#scrub(error.serverBody),
      cause: typeof cause === 'string' ? this.#scrub(cause) : cause,
    });
  }

  /**
   * The pages of a paged resource, each as an array of validated items. Follows
   * `start`/`limit`/`isLastPage`/`nextPageStart`; stops at the last page, when `nextPageStart` is
   * missing or does not move forward, or after `maxPages`.
   */
  async *pages<T>(path: string, options: PagedRequestOptions<T>): AsyncGenerator<T[], void, undefined> {
    const { itemSchema, limit = 100, maxPages = 100, start: first = 0, ...request } = options;
    const itemsSchema = v.array(itemSchema);
    let start = first;
    for (let page = 0; page < maxPages; page++) {
      const { data, status } = await this.#request(
        'GET',
        path,
        { ...request, query: { ...request.query, start, limit }, schema: PageSchema },
        'page',
      );
      const items = v.safeParse(itemsSchema, data.values);
      if (!items.success) {
        throw this.#withoutToken(
          new BitbucketError('invalid-response', explain.invalidResponse(request.operation), {
            status,
            operation: request.operation,
            cause: describeIssues(items.issues),
          }),
        );
      }
      yield items.output;
      const next = data.nextPageStart;
      if (data.isLastPage || next === undefined || next === null || next <= start) return;
      start = next;
    }
  }

  /** Every item of a paged resource (see `pages`). */
  async getAllPages<T>(path: string, options: PagedRequestOptions<T>): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages(path, options)) all.push(...page);
    return all;
  }
}

/** How long to wait before the one retry of a GET, or undefined when it must not be retried. */
function retryDelay(error: unknown): number | undefined {
  if (!(error instanceof BitbucketError)) return undefined;
  const wait = error.retryAfterSeconds;
  if (error.kind === 'rate-limited') {
    return wait !== undefined && wait <= MAX_RETRY_AFTER_SECONDS ? wait * 1000 : undefined;
  }
  if (error.kind === 'server-error' && RETRIED_GATEWAY_STATUSES.has(error.status ?? 0)) {
    if (wait === undefined) return GATEWAY_RETRY_MS;
    return wait <= MAX_RETRY_AFTER_SECONDS ? wait * 1000 : undefined;
  }
  return undefined;
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`)
    .join('; ');
}
