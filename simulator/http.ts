/**
 * Request/reply types shared by the REST API, the pages and the git endpoint, plus small helpers
 * (cookies, bodies, forms).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from './faults';
import type { ServerVersion, Urls } from './json';
import type { Model } from './model';
import type { Principal, Session } from './types';

/** What every handler may read: the model and where the server lives. */
export interface Env {
  model: Model;
  urls: Urls;
  version: ServerVersion;
  build: { buildNumber: string; buildDate: string; commitId: string };
  faults: Faults;
  /** Root of the bare git repositories, when real git repositories were created. */
  gitDir?: string;
}

export interface Req {
  raw: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path below the context path, still percent-encoded, e.g. "/projects/PROJ/repos/api/browse". */
  path: string;
  query: URLSearchParams;
  cookies: Map<string, string>;
  principal: Principal;
  /** The web session, when the request carried a valid session cookie. */
  session?: Session;
}

export type Reply =
  | { kind: 'json'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'html'; status: number; html: string; headers?: Record<string, string | string[]> }
  | {
      kind: 'redirect';
      location: string;
      status?: 301 | 302 | 303;
      headers?: Record<string, string | string[]>;
    }
  | { kind: 'raw'; status: number; body: string | Buffer; headers?: Record<string, string | string[]> }
  /** The handler wrote the response itself (streaming). */
  | { kind: 'handled' };

export const SESSION_COOKIE = 'BITBUCKETSESSIONID';

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

const MAX_BODY = 5 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req)).toString('utf8'));
}

/** Decodes a path segment; undefined when it is not valid percent-encoding. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * A local path to go back to after signing in: must start with one "/" (no scheme, no host, no
 * backslash), so `next=` can't send a user to another site.
 */
export function safeLocalPath(next: string | null | undefined): string | undefined {
  if (!next?.startsWith('/') || next.startsWith('//') || /[\\\s]/.test(next)) return undefined;
  return next;
}
