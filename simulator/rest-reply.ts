/**
 * What every REST handler is built from: the handler and route types, the reply helpers (JSON,
 * error bodies as the real server sends them) and the lookups every repository resource starts with.
 * The resources live in rest.ts, repo-create.ts and file-edit.ts.
 */
import { type Env, type Reply, type Req, readBody } from './http';
import { EXCEPTIONS, MESSAGES, restErrors } from './json';
import type { Principal, Project, Repo, User } from './types';

export type Params = Record<string, string>;
export type Handler = (env: Env, req: Req, params: Params) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  template: string;
  handler: Handler;
  /** The query parameters the handler honours, as the spec names them ("permission.N"). */
  query: readonly string[];
}

/** The spec's template of the repository resources. */
export const REPO = '/api/latest/projects/{projectKey}/repos/{repositorySlug}';

export const json = (status: number, body?: unknown): Reply => ({ kind: 'json', status, body });
export const error = (
  status: number,
  exceptionName: string | null,
  message: string,
  context: string | null = null,
) => json(status, restErrors(message, exceptionName, context));
export const notPermitted = () => error(401, EXCEPTIONS.notPermitted, MESSAGES.notPermitted);
export const badRequest = (message: string, context: string | null = null) =>
  error(400, EXCEPTIONS.badRequest, message, context);

export function currentUser(principal: Principal): User | undefined {
  return principal.kind === 'anonymous' ? undefined : principal.user;
}

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

/** Looks up the project, or the error reply to send. */
export function findProject(env: Env, req: Req, key: string): Project | Reply {
  const project = env.model.project(key);
  if (!project) return error(404, EXCEPTIONS.noSuchProject, `Project ${key} does not exist.`);
  if (!env.model.canViewProject(req.principal, project)) return notPermitted();
  return project;
}

/** Looks up a repository the caller can read, or the error reply to send. */
export function findRepo(env: Env, req: Req, params: Params): Repo | Reply {
  const key = params.projectKey ?? '';
  const slug = params.repositorySlug ?? '';
  if (!env.model.project(key)) return error(404, EXCEPTIONS.noSuchProject, `Project ${key} does not exist.`);
  const repo = env.model.repo(key, slug);
  if (!repo) return error(404, EXCEPTIONS.noSuchRepository, `Repository ${key}/${slug} does not exist.`);
  if (!env.model.canReadRepo(req.principal, repo)) return notPermitted();
  return repo;
}

/** The request's JSON object body (an empty object for no body or a non-object), or the 400 to send. */
export async function readJsonObject(req: Req): Promise<Record<string, unknown> | Reply> {
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req.raw)).toString('utf8') || 'null');
  } catch {
    return badRequest('The request body is not valid JSON.');
  }
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}
