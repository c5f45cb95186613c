import * as v from 'valibot';
import { BitbucketError, explain } from './errors';
import { OPERATIONS, type OperationId, type TokenPermission } from './permissions';

export type Query = Record<string, string | number | boolean | undefined | readonly string[]>;
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface BitbucketClientOptions {
  /** Normalised server URL with its context path, no trailing slash. */
  baseUrl: string;
  /** HTTP access token, sent as `Authorization: Bearer`. Omit for anonymous requests. */
  token?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions<T> {
  operation: OperationId;
  query?: Query;
  body?: unknown;
  schema?: v.GenericSchema<unknown, T>;
  signal?: AbortSignal;
}

export interface BitbucketResponse<T> {
  data: T;
  status: number;
  /** `X-AUSERNAME`: who the server thinks we are; null when absent or anonymous. */
  username: string | null;
}

const PageSchema = v.object({
  values: v.array(v.unknown()),
  isLastPage: v.boolean(),
  nextPageStart: v.optional(v.nullable(v.number())),
  start: v.optional(v.number()),
  size: v.optional(v.number()),
  limit: v.optional(v.number()),
});

const ErrorBodySchema = v.object({
  errors: v.array(
    v.object({
      message: v.optional(v.nullable(v.string())),
      exceptionName: v.optional(v.nullable(v.string())),
    }),
  ),
});

const MAX_RETRY_AFTER_SECONDS = 10;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface ErrorBody {
  messages: string[];
  exceptions: string[];
}

function readErrorBody(text: string): ErrorBody {
  try {
    const parsed = v.safeParse(ErrorBodySchema, JSON.parse(text));
    if (!parsed.success) return { messages: [], exceptions: [] };
    return {
      messages: parsed.output.errors.map((e) => e.message ?? '').filter(Boolean),
      exceptions: parsed.output.errors.map((e) => e.exceptionName ?? '').filter(Boolean),
    };
  } catch {
    return { messages: [], exceptions: [] };
  }
}

function looksLikeLoginPage(text: string): boolean {
  return /j_atl_security_check|name="j_username"|id="login-form"|SAMLRequest|samlsso/i.test(text);
}

function retryAfterSeconds(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * The one REST client for Bitbucket Server / Data Center. Every request carrying a token goes
 * through it (in the background only). Failures become BitbucketError with a sentence for the user.
 */
export class BitbucketClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: BitbucketClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = options.sleep ?? defaultSleep;
  }

  url(path: string, query?: Query): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  get<T>(path: string, options: RequestOptions<T>) {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, options: RequestOptions<T>) {
    return this.request<T>('POST', path, options);
  }
  put<T>(path: string, options: RequestOptions<T>) {
    return this.request<T>('PUT', path, options);
  }
  delete<T>(path: string, options: RequestOptions<T>) {
    return this.request<T>('DELETE', path, options);
  }

  async request<T>(method: Method, path: string, options: RequestOptions<T>): Promise<BitbucketResponse<T>> {
    let retried = false;
    for (;;) {
      try {
        return await this.#once(method, path, options);
      } catch (error) {
        // Only idempotent reads are retried, once; 401s never (repeated 401s lock accounts).
        if (retried || method !== 'GET' || !(error instanceof BitbucketError)) throw error;
        let waitMs: number | undefined;
        if (error.kind === 'rate-limited' && (error.retryAfterSeconds ?? 0) <= MAX_RETRY_AFTER_SECONDS) {
          waitMs = (error.retryAfterSeconds ?? 1) * 1000;
        } else if (error.kind === 'server-error' && [502, 503, 504].includes(error.status ?? 0)) {
          waitMs = 500;
        }
        if (waitMs === undefined) throw error;
        retried = true;
        await this.#sleep(waitMs);
      }
    }
  }

  async #once<T>(method: Method, path: string, options: RequestOptions<T>): Promise<BitbucketResponse<T>> {
    const { operation } = options;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    if (method !== 'GET') headers['X-Atlassian-Token'] = 'no-check';
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }

    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const onCallerAbort = () => timeout.abort();
    options.signal?.addEventListener('abort', onCallerAbort);
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.url(path, options.query), {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        credentials: 'omit',
        cache: 'no-store',
        signal: timeout.signal,
      });
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (timeout.signal.aborted) {
        throw new BitbucketError(
          'timeout',
          explain.timeout(this.baseUrl, Math.round(this.#timeoutMs / 1000)),
          {
            operation,
          },
        );
      }
      throw new BitbucketError('offline', explain.offline(this.baseUrl), { operation });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }

    const status = response.status;
    if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
      throw new BitbucketError('login-redirect', explain.loginRedirect(this.baseUrl), { status, operation });
    }
    const rawUser = response.headers.get('x-ausername');
    const username = rawUser && rawUser !== 'anonymous' ? rawUser : null;

    if (status >= 400) throw this.#failure(response, text, operation);
    if (status === 204 || text.trim() === '') return { data: undefined as T, status, username };

    const isJson = /json/i.test(response.headers.get('content-type') ?? '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (looksLikeLoginPage(text)) {
        throw new BitbucketError('login-redirect', explain.loginRedirect(this.baseUrl), {
          status,
          operation,
        });
      }
      throw new BitbucketError('not-json', explain.notJson(this.baseUrl), { status, operation });
    }
    if (!isJson && typeof json !== 'object') {
      throw new BitbucketError('not-json', explain.notJson(this.baseUrl), { status, operation });
    }
    if (!options.schema) return { data: json as T, status, username };
    const parsed = v.safeParse(options.schema, json);
    if (!parsed.success) {
      throw new BitbucketError('invalid-response', explain.invalidResponse(operation), { status, operation });
    }
    return { data: parsed.output, status, username };
  }

  #failure(response: Response, text: string, operation: OperationId): BitbucketError {
    const status = response.status;
    const { messages, exceptions } = readErrorBody(text);
    const details = { status, operation, serverMessages: messages };
    if (status === 401 || status === 403) {
      const permissionProblem =
        exceptions.some((e) => /AuthorisationException|Forbidden|NotPermitted/i.test(e)) ||
        messages.some((m) => /not permitted|insufficient permission/i.test(m));
      const authProblem = exceptions.some((e) => /Authentication|IncorrectPassword|Credentials/i.test(e));
      if (permissionProblem && !authProblem) {
        const requiredPermission = permissionFor(operation);
        return new BitbucketError('missing-permission', explain.missingPermission(operation), {
          ...details,
          ...(requiredPermission ? { requiredPermission } : {}),
        });
      }
      if (looksLikeLoginPage(text))
        return new BitbucketError('login-redirect', explain.loginRedirect(this.baseUrl), details);
      return new BitbucketError('bad-token', explain.badToken(this.baseUrl), details);
    }
    if (status === 404) return new BitbucketError('not-found', explain.notFound(operation), details);
    if (status === 409) return new BitbucketError('conflict', explain.conflict(messages), details);
    if (status === 429) {
      const seconds = retryAfterSeconds(response);
      return new BitbucketError('rate-limited', explain.rateLimited(seconds), {
        ...details,
        ...(seconds !== undefined ? { retryAfterSeconds: seconds } : {}),
      });
    }
    if (status >= 500) return new BitbucketError('server-error', explain.serverError(status), details);
    return new BitbucketError(
      'bad-request',
      messages.length
        ? `The server refused: ${messages.join(' ')}`
        : `The server refused the request (HTTP ${status}).`,
      details,
    );
  }

  /**
   * Every item of a paged resource, following `start`/`limit`/`isLastPage`/`nextPageStart`.
   * Stops after `maxPages`, or if the server's `nextPageStart` does not move forward.
   */
  async *pages<T>(
    path: string,
    options: Omit<RequestOptions<unknown>, 'schema'> & {
      itemSchema: v.GenericSchema<unknown, T>;
      limit?: number;
      maxPages?: number;
    },
  ): AsyncGenerator<T[]> {
    const limit = options.limit ?? 100;
    const maxPages = options.maxPages ?? 100;
    const itemsSchema = v.array(options.itemSchema);
    let start = 0;
    for (let page = 0; page < maxPages; page++) {
      const { data } = await this.get(path, {
        ...options,
        query: { ...options.query, start, limit },
        schema: PageSchema,
      });
      const items = v.safeParse(itemsSchema, data.values);
      if (!items.success) {
        throw new BitbucketError('invalid-response', explain.invalidResponse(options.operation), {
          operation: options.operation,
        });
      }
      yield items.output;
      const next = data.nextPageStart;
      if (data.isLastPage || next === undefined || next === null || next <= start) return;
      start = next;
    }
  }

  async getAllPages<T>(
    path: string,
    options: Omit<RequestOptions<unknown>, 'schema'> & {
      itemSchema: v.GenericSchema<unknown, T>;
      limit?: number;
      maxPages?: number;
    },
  ): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages(path, options)) all.push(...page);
    return all;
  }
}

function permissionFor(operation: OperationId): TokenPermission | undefined {
  return OPERATIONS[operation].permission ?? undefined;
}
