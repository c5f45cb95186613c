/**
 * A stateful Bitbucket Server / Data Center simulator for tests and the demo: REST API (Bearer
 * tokens with scopes, cookie sessions), web pages whose DOM follows the real ones, fault injection,
 * optional real git repositories, and a strict mode that checks every JSON answer against
 * Atlassian's OpenAPI spec.
 *
 *   const sim = await startSimulator({ strict: true });
 *   const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
 *   await fetch(`${sim.url}/rest/api/1.0/repos`, { headers: { authorization: `Bearer ${token}` } });
 *   await sim.close();
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { authenticate } from './auth';
import { Conformance, type ConformanceViolation } from './conformance';
import { type Fault, Faults } from './faults';
import { createGitRepositories, handleGit } from './git';
import { type Env, parseCookies, type Reply, type Req } from './http';
import { buildInfo, EXCEPTIONS, MESSAGES, parseVersion, restErrors, type Urls } from './json';
import { Model } from './model';
import { handlePage, loginForm, toLogin } from './pages';
import { handleRest, ignoredQueryViolation, ROUTES } from './rest';
import { seed as defaultSeed } from './seed';
import { type SshServer, startSshServer } from './ssh';
import type { GpgKeyPolicy, Principal, Seed, SshKeyPolicy, TokenPermission } from './types';

export type { ConformanceViolation } from './conformance';
export { Conformance } from './conformance';
export type { Fault } from './faults';
export { Faults } from './faults';
export { Model } from './model';
export { SEED_TOKENS, seed } from './seed';
export type * from './types';

export interface SimulatorOptions {
  /** 0 = a free port (default). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** '' (default) or e.g. '/bitbucket'; every URL, link, redirect and page honours it. */
  contextPath?: string;
  /** Reported server version, default '9.4.13'. */
  version?: string;
  /** Check every JSON answer against the OpenAPI spec (needs the spec file). Default false. */
  strict?: boolean;
  /** Path of openapi-9.2.json; default: shared/reference/bitbucket/openapi-9.2.json beside the repository. */
  specPath?: string;
  /** Extra metadata-only repositories with realistic names (see Model.addScaleRepos), e.g. 20000. */
  repos?: number;
  /** The largest page `limit` honoured (default 1000); a larger limit is answered with this many. */
  maxPage?: number;
  /**
   * Cut pages before the permission check, as real servers do: pages may hold fewer than `limit`
   * items and `nextPageStart` may jump ahead (clients must follow it). Default false.
   */
  skipAhead?: boolean;
  /** Default: the seed in simulator/seed.ts. */
  seed?: Seed;
  /** Where to create real bare git repositories; none are created without it. */
  gitDir?: string;
  /**
   * The SSH port clone links and `GET /rest/ssh/1.0/settings` name (default 7999); `false` = SSH access
   * off (the settings report `enabled: false`). With `gitDir` and a number here, a real `sshd` serves
   * the bare repositories on that port (0 = a free port; links and settings name the real one); see
   * simulator/ssh.ts. Without `gitDir`, or with `sshServer: false`, the port is only a placeholder.
   */
  sshPort?: number | false;
  /**
   * Whether to run the real SSH server (needs root and Debian's openssh-server). Default: when `gitDir`
   * is set and `sshPort` is a number.
   */
  sshServer?: boolean;
  /** Whether HTTP access tokens may add and delete SSH and GPG keys. Default false. */
  tokensMayAddKeys?: boolean;
  /** The administrator's SSH key policy: allowed algorithms, minimum lengths, forced expiry. */
  sshKeyPolicy?: SshKeyPolicy;
  /**
   * SCM access over HTTP(S) (default true). Off: no `http` clone links anywhere, and `/scm/…` answers
   * git with "SCM access over HTTP(S) has been disabled", as real servers do.
   */
  httpAccess?: boolean;
  /** Whether the file-edit API may make the first commit of an empty repository (default true). */
  fileEditOnEmptyRepo?: boolean;
  /** The default branch of repositories created through the REST API (default 'master'). */
  defaultBranchName?: string;
  /** Which GPG key algorithms the server takes (default all). */
  gpgKeyPolicy?: GpgKeyPolicy;
}

export interface Simulator {
  /** 'http://127.0.0.1:PORT' + context path (no trailing slash). */
  url: string;
  /** 'http://127.0.0.1:PORT'. */
  origin: string;
  port: number;
  /** The real SSH server, when one runs (`port`, `hostKeyFingerprint`, `log()` for debugging). */
  ssh?: SshServer;
  /** The live state (users, projects, repositories, tokens, sessions). */
  model: Model;
  faults: Faults;
  /** Every strict-mode violation seen (each is also logged and answered with a 500). */
  violations: ConformanceViolation[];
  /** Creates an HTTP access token for a user and returns its secret text. */
  createToken(userSlug: string, permissions: TokenPermission[], name?: string): string;
  revokeToken(token: string): void;
  close(): Promise<void>;
}

export function defaultSpecPath(): string {
  return (
    process.env.BITBUCKET_OPENAPI_SPEC ??
    fileURLToPath(new URL('../../shared/reference/bitbucket/openapi-9.2.json', import.meta.url))
  );
}

function normaliseContextPath(value: string): string {
  const trimmed = value.trim().replace(/\/+$/, '');
  if (!trimmed) return '';
  const withSlash = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(withSlash)) throw new Error(`invalid context path: ${value}`);
  return withSlash;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const HTML_TYPE = 'text/html;charset=UTF-8';

let requestCounter = 0;

/** A JSON answer with one string field padded (the `pad` fault): of the object, or of each item of a page. */
function padded(body: unknown, { pad, length }: { pad: string; length: number }): unknown {
  const padItem = (item: unknown) => {
    if (typeof item !== 'object' || item === null) return item;
    const value = (item as Record<string, unknown>)[pad];
    return typeof value === 'string' ? { ...item, [pad]: value.padEnd(length, 'x') } : item;
  };
  if (typeof body === 'object' && body !== null && Array.isArray((body as { values?: unknown }).values)) {
    const page = body as { values: unknown[] };
    return { ...page, values: page.values.map(padItem) };
  }
  return padItem(body);
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const contextPath = normaliseContextPath(opts.contextPath ?? '');
  const version = parseVersion(opts.version ?? '9.4.13');
  const host = opts.host ?? '127.0.0.1';
  const model = new Model(
    opts.seed ?? defaultSeed,
    Date.now(),
    { maxPage: opts.maxPage, skipAhead: opts.skipAhead },
    {
      sshEnabled: opts.sshPort !== false,
      tokensMayAddKeys: opts.tokensMayAddKeys,
      sshKeyPolicy: opts.sshKeyPolicy,
      gpgKeyPolicy: opts.gpgKeyPolicy,
    },
    {
      httpAccess: opts.httpAccess,
      fileEditOnEmptyRepo: opts.fileEditOnEmptyRepo,
      defaultBranchName: opts.defaultBranchName,
    },
  );
  if (opts.repos && opts.repos > 0) model.addScaleRepos(opts.repos);

  const conformance = opts.strict ? Conformance.fromFile(opts.specPath ?? defaultSpecPath()) : undefined;
  if (conformance) {
    const invented = ROUTES.filter((r) => !conformance.hasOperation(r.method, r.template));
    if (invented.length) {
      throw new Error(
        `routes missing from the spec: ${invented.map((r) => `${r.method} ${r.template}`).join(', ')}`,
      );
    }
  }
  if (opts.gitDir) await createGitRepositories(model, opts.gitDir);

  const faults = new Faults();
  const violations: ConformanceViolation[] = [];
  const sshPort = typeof opts.sshPort === 'number' ? opts.sshPort : 7999;
  const urls: Urls = {
    base: '',
    contextPath,
    sshHost: '127.0.0.1',
    sshPort,
    scm: model.repoSettings,
  };
  const env: Env = {
    model,
    urls,
    version,
    build: buildInfo(version),
    faults,
    ...(opts.gitDir ? { gitDir: opts.gitDir } : {}),
  };

  function commonHeaders(principal: Principal): Record<string, string> {
    const headers: Record<string, string> = {
      'x-arequestid': `@${(++requestCounter).toString(36).toUpperCase()}x${Date.now() % 100000}x0`,
      'x-content-type-options': 'nosniff',
    };
    if (principal.kind !== 'anonymous') {
      // Header values must be Latin-1; other characters are percent-encoded.
      headers['x-ausername'] = /^[\x20-\x7e]*$/.test(principal.user.name)
        ? principal.user.name
        : encodeURIComponent(principal.user.name);
      headers['x-auserid'] = String(principal.user.id);
    }
    return headers;
  }

  /** Writes a JSON answer, checking it against the spec first in strict mode. */
  function sendJson(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    status: number,
    body: unknown,
    headers: Record<string, string | string[]>,
    check: boolean,
  ) {
    let finalStatus = status;
    let finalBody = body;
    if (conformance && check) {
      const problems = conformance.check(req.method ?? 'GET', path, status, body);
      if (problems.length) {
        const op = conformance.findOperation(req.method ?? 'GET', path);
        const violation: ConformanceViolation = {
          method: req.method ?? 'GET',
          path,
          status,
          ...(op?.operationId ? { operationId: op.operationId } : {}),
          message: problems.join('; '),
        };
        violations.push(violation);
        console.error(
          `[bitbucket-simulator] conformance violation: ${violation.method} ${path} → ${status}: ${violation.message}`,
        );
        finalStatus = 500;
        finalBody = restErrors(
          `conformance violation: ${violation.message}`,
          'simulator.ConformanceViolation',
        );
      }
    }
    if (finalBody === undefined) {
      res.writeHead(finalStatus, headers);
      res.end();
      return;
    }
    res.writeHead(finalStatus, {
      ...headers,
      'content-type': JSON_TYPE,
      'cache-control': 'no-cache, no-transform',
    });
    res.end(JSON.stringify(finalBody));
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    reply: Reply,
    base: Record<string, string>,
  ) {
    switch (reply.kind) {
      case 'handled':
        return;
      case 'json':
        return sendJson(req, res, path, reply.status, reply.body, { ...base, ...reply.headers }, true);
      case 'html':
        res.writeHead(reply.status, { ...base, 'content-type': HTML_TYPE, ...reply.headers });
        res.end(reply.html);
        return;
      case 'redirect':
        res.writeHead(reply.status ?? 302, { ...base, location: reply.location, ...reply.headers });
        res.end();
        return;
      case 'raw':
        res.writeHead(reply.status, { ...base, ...reply.headers });
        res.end(reply.body);
        return;
    }
  }

  const anonymous: Principal = { kind: 'anonymous' };

  /** Applies a fault; true when the request has been answered (or dropped). */
  async function applyFault(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    r: Req,
  ): Promise<boolean> {
    const isRest = r.path.startsWith('/rest/');
    const base = commonHeaders(anonymous);
    if ('latencyMs' in fault) {
      await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
      return false;
    }
    if ('dropConnection' in fault) {
      req.socket.destroy();
      return true;
    }
    if ('ssoRedirect' in fault) {
      const q = r.query.toString();
      const back = q ? `${r.path}?${q}` : r.path;
      send(
        req,
        res,
        r.path,
        {
          kind: 'redirect',
          location: `${urls.base}/plugins/servlet/samlsso?redirectTo=${encodeURIComponent(back)}`,
        },
        base,
      );
      return true;
    }
    if ('httpsRedirect' in fault) {
      const q = r.query.toString();
      const location = `${urls.base.replace(/^http:/, 'https:')}${r.path}${q ? `?${q}` : ''}`;
      send(req, res, r.path, { kind: 'redirect', location }, base);
      return true;
    }
    if ('pad' in fault) return false;
    if ('html' in fault) {
      const login = loginForm(env, { ...r, principal: anonymous }, {});
      send(req, res, r.path, login, base);
      return true;
    }
    const { status } = fault;
    if (status === 429) {
      const headers = { ...base, 'retry-after': String(fault.retryAfterSeconds) };
      const message = `Too many requests. Try again in ${fault.retryAfterSeconds} seconds.`;
      if (isRest) {
        sendJson(
          req,
          res,
          r.path,
          429,
          restErrors(message, 'com.atlassian.bitbucket.throttle.ThrottledException'),
          headers,
          false,
        );
      } else {
        send(
          req,
          res,
          r.path,
          {
            kind: 'html',
            status: 429,
            html: `<!DOCTYPE html><title>Too many requests</title><p>${message}</p>`,
            headers,
          },
          base,
        );
      }
      return true;
    }
    if (status === 502) {
      send(
        req,
        res,
        r.path,
        {
          kind: 'html',
          status: 502,
          html: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
        },
        base,
      );
      return true;
    }
    const message =
      status === 503
        ? 'Bitbucket is currently unavailable. Please try again later.'
        : 'An unexpected error occurred. Please contact your administrator.';
    if (isRest) sendJson(req, res, r.path, status, restErrors(message, EXCEPTIONS.server), base, false);
    else
      send(
        req,
        res,
        r.path,
        { kind: 'html', status, html: `<!DOCTYPE html><title>${status}</title><p>${message}</p>` },
        base,
      );
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = url.pathname;
    if (contextPath) {
      if (path === contextPath) {
        res.writeHead(302, { location: `${urls.base}/dashboard` });
        res.end();
        return;
      }
      if (!path.startsWith(`${contextPath}/`)) {
        res.writeHead(404, { 'content-type': 'text/plain;charset=UTF-8' });
        res.end('Not found\n');
        return;
      }
      path = path.slice(contextPath.length);
    }
    const cookies = parseCookies(req.headers.cookie);
    const r: Req = {
      raw: req,
      res,
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      cookies,
      principal: anonymous,
    };

    const isSsoPage = path.startsWith('/plugins/servlet/samlsso');
    const fault = faults.take(path, (f) => isSsoPage && 'ssoRedirect' in f);
    if (fault && (await applyFault(fault, req, res, r))) return;

    const isRest = path.startsWith('/rest/');
    const auth = authenticate(model, req, path, cookies);
    if (!auth.ok) {
      const base = commonHeaders(anonymous);
      if (auth.reason === 'token-on-page') return send(req, res, path, toLogin(env, r), base);
      if (isRest) {
        return sendJson(
          req,
          res,
          path,
          401,
          restErrors(MESSAGES.badCredentials, EXCEPTIONS.badCredentials),
          base,
          true,
        );
      }
      return send(
        req,
        res,
        path,
        {
          kind: 'raw',
          status: 401,
          body: 'Authentication failed\n',
          headers: {
            'content-type': 'text/plain;charset=UTF-8',
            'www-authenticate': 'Basic realm="Atlassian Bitbucket"',
          },
        },
        base,
      );
    }
    r.principal = auth.principal;
    if (auth.session) r.session = auth.session;
    const base = commonHeaders(r.principal);

    if (isRest) {
      const ignored = conformance && ignoredQueryViolation(conformance, r);
      if (ignored) {
        violations.push(ignored);
        console.error(`[bitbucket-simulator] conformance violation: ${r.method} ${path}: ${ignored.message}`);
        const body = restErrors(
          `conformance violation: ${ignored.message}`,
          'simulator.ConformanceViolation',
        );
        return sendJson(req, res, path, 500, body, base, false);
      }
      const reply = await handleRest(env, r);
      if (reply?.kind === 'json' && fault && 'pad' in fault) {
        const headers = { ...base, ...reply.headers };
        return sendJson(req, res, path, reply.status, padded(reply.body, fault), headers, false);
      }
      if (reply) return send(req, res, path, reply, base);
      if (conformance) {
        const op = conformance.findOperation(r.method, path);
        const message = op
          ? `the simulator does not implement ${op.operationId ?? ''} (${r.method} ${op.template})`
          : `the spec has no operation ${r.method} ${path}`;
        violations.push({
          method: r.method,
          path,
          status: 404,
          ...(op?.operationId ? { operationId: op.operationId } : {}),
          message,
        });
        console.error(`[bitbucket-simulator] conformance violation: ${r.method} ${path}: ${message}`);
        return sendJson(
          req,
          res,
          path,
          500,
          restErrors(`conformance violation: ${message}`, 'simulator.ConformanceViolation'),
          base,
          false,
        );
      }
      return sendJson(req, res, path, 404, restErrors(`No resource at ${path}.`, null), base, false);
    }
    if (path === '/scm' || path.startsWith('/scm/'))
      return send(req, res, path, await handleGit(env, r), base);
    return send(req, res, path, await handlePage(env, r), base);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('[bitbucket-simulator] request failed:', error);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': JSON_TYPE });
        res.end(JSON.stringify(restErrors(String(error), EXCEPTIONS.server)));
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${port}`;
  urls.base = `${origin}${contextPath}`;
  urls.sshHost = urlHost;

  const wantsSsh = opts.sshServer ?? (opts.gitDir !== undefined && typeof opts.sshPort === 'number');
  let ssh: SshServer | undefined;
  if (wantsSsh && opts.sshPort !== false && opts.gitDir) {
    try {
      ssh = await startSshServer({ model, port: opts.sshPort ?? 7999 });
    } catch (error) {
      server.close();
      server.closeAllConnections();
      throw error;
    }
    // sshd listens on loopback only.
    urls.sshHost = '127.0.0.1';
    urls.sshPort = ssh.port;
  }

  return {
    url: urls.base,
    origin,
    port,
    ...(ssh ? { ssh } : {}),
    model,
    faults,
    violations,
    createToken(userSlug, permissions, name) {
      const user = model.user(userSlug);
      if (!user) throw new Error(`no user ${userSlug}`);
      return model.createToken(user, permissions, name ?? `Token ${randomBytes(3).toString('hex')}`).token;
    },
    revokeToken(token) {
      model.revokeToken(token);
    },
    async close() {
      await ssh?.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
