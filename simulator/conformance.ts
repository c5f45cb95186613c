/**
 * Strict mode: every JSON answer of the simulator's REST API is checked against Atlassian's OpenAPI
 * spec (Bitbucket Data Center 9.2) before it is sent. The spec is the source of truth; the simulator
 * is not. Two tables below are the only places where the check differs from the bare spec:
 *
 * - SPEC_FIXES: known errors of the spec, each with the reason we believe the real server differs.
 * - EXTRA_REQUIRED: fields our client reads, made required (the spec marks almost nothing required,
 *   so without this a response missing `slug` or `links.clone` would pass).
 *
 * A JSON answer with no matching operation in the spec is a violation too, so the simulator cannot
 * invent endpoints. So is a request carrying a query parameter the spec documents for its operation
 * but the simulator's handler does not honour: silently ignoring a filter would answer as if the
 * filter had matched everything ({@link Conformance.ignoredQueryParameters}).
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export interface ConformanceViolation {
  method: string;
  /** Request path below the context path, e.g. "/rest/api/1.0/repos". */
  path: string;
  status: number;
  /** The spec's operationId, when an operation matched. */
  operationId?: string;
  message: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface SpecFix {
  id: string;
  reason: string;
  apply(doc: JsonObject): void;
}

interface ExtraRule {
  /**
   * A component schema ("RestRepository"), a property path inside one ("RestRepository.links"), or
   * "PAGE" (every paged response) / "ERRORS" (every error response).
   */
  at: string;
  required?: string[];
  properties?: Record<string, JsonObject>;
  why: string;
}

const REST_ERRORS: JsonObject = { $ref: '#/components/schemas/RestErrors' };

// ─────────────────────────────── known spec errors ───────────────────────────────

export const SPEC_FIXES: readonly SpecFix[] = [
  {
    id: 'error-context-null',
    reason:
      'Real servers send "context": null in error messages (e.g. the 401 for bad credentials), and "exceptionName": null in the errors of one field (e.g. {"context":"name","message":"This repository URL is already taken…","exceptionName":null}, as clients record the 409 of repository creation); the spec types both as string.',
    apply(doc) {
      schemaAt(doc, 'RestErrorMessage.context').nullable = true;
      schemaAt(doc, 'RestErrorMessage.exceptionName').nullable = true;
    },
  },
  {
    id: 'default-reviewers-returns-users',
    reason:
      'GET /rest/default-reviewers/…/reviewers returns a plain array of users (what Renovate and atlassian-python-api read), not RestPullRequestCondition[].',
    apply(doc) {
      setResponseSchema(
        doc,
        '/default-reviewers/latest/projects/{projectKey}/repos/{repositorySlug}/reviewers',
        'get',
        '200',
        {
          type: 'array',
          items: { $ref: '#/components/schemas/RestApplicationUser' },
        },
      );
    },
  },
  {
    id: 'users-is-a-page',
    reason:
      'GET /rest/api/…/users answers "A page of users" (its own description; Renovate and go-scm read .values) but the schema declares a single RestApplicationUser.',
    apply(doc) {
      setResponseSchema(
        doc,
        '/api/latest/users',
        'get',
        '200',
        pageOf({ $ref: '#/components/schemas/RestApplicationUser' }),
      );
    },
  },
  {
    id: 'pull-request-author',
    reason:
      "Every real pull request carries its author (a participant with role AUTHOR: the Jenkins plugin's and go-scm's captured responses, the 8.x pull-request page data); the 9.2 schema of RestPullRequest lists no author.",
    apply(doc) {
      const properties = asObject(schemaAt(doc, 'RestPullRequest').properties);
      properties.author = { $ref: '#/components/schemas/RestPullRequestParticipant' };
    },
  },
  {
    id: 'create-repository-no-such-project',
    reason:
      'POST /projects/{projectKey}/repos for a project that does not exist answers 404 NoSuchProjectException, as every other project resource does; the operation lists only 201/400/401/409.',
    apply(doc) {
      addErrorResponse(
        doc,
        '/api/latest/projects/{projectKey}/repos',
        'post',
        '404',
        'The project does not exist.',
      );
    },
  },
  {
    id: 'set-default-branch-validation',
    reason:
      'PUT …/default-branch (and the deprecated …/branches/default) with a body naming no branch is refused with 400 ArgumentValidationException like every resource validating its body; the operations list only 204/401/404.',
    apply(doc) {
      for (const template of [
        '/api/latest/projects/{projectKey}/repos/{repositorySlug}/default-branch',
        '/api/latest/projects/{projectKey}/repos/{repositorySlug}/branches/default',
      ]) {
        addErrorResponse(doc, template, 'put', '400', 'The body names no branch.');
      }
    },
  },
  {
    id: 'filter-responses',
    reason:
      'The request filters answer before any resource runs, on every REST path: 401 for bad, revoked or expired credentials (IncorrectPasswordAuthenticationException), and 403 when a cookie-authenticated request that changes something lacks X-Atlassian-Token (XSRF check). Operations do not list these.',
    apply(doc) {
      for (const [, item] of entries(asObject(doc.paths))) {
        for (const [method, operation] of entries(item)) {
          if (!isObject(operation) || !HTTP_METHODS.has(method)) continue;
          const responses = asObject(operation.responses);
          if (!responses['401']) {
            responses['401'] = {
              description: 'Authentication failed.',
              content: { 'application/json': { schema: REST_ERRORS } },
            };
          }
          if (method !== 'get' && !responses['403']) {
            responses['403'] = {
              description: 'XSRF check failed.',
              content: { 'application/json': { schema: REST_ERRORS } },
            };
          }
        }
      }
    },
  },
];

// ─────────────────────────────── fields our client reads ───────────────────────────────

const SELF_LINKS: JsonObject = {
  type: 'array',
  minItems: 1,
  items: { type: 'object', required: ['href'], properties: { href: { type: 'string' } } },
};
const CLONE_LINKS: JsonObject = {
  type: 'array',
  items: {
    type: 'object',
    required: ['href', 'name'],
    properties: { href: { type: 'string' }, name: { type: 'string' } },
  },
};

export const EXTRA_REQUIRED: readonly ExtraRule[] = [
  { at: 'PAGE', required: ['size', 'limit', 'isLastPage', 'start', 'values'], why: 'paging loops' },
  { at: 'ERRORS', required: ['errors'], why: 'error sentences' },
  { at: 'RestErrorMessage', required: ['message'], why: 'error sentences' },
  { at: 'RestApplicationProperties', required: ['version', 'displayName'], why: 'version support check' },
  { at: 'RestApplicationUser', required: ['name', 'slug', 'displayName', 'id'], why: 'profile identity' },
  {
    at: 'RestApplicationUser.links',
    required: ['self'],
    properties: { self: SELF_LINKS },
    why: 'profile link',
  },
  { at: 'RestProject', required: ['key', 'id', 'name', 'type'], why: 'project pickers' },
  { at: 'RestProject.links', required: ['self'], properties: { self: SELF_LINKS }, why: 'project link' },
  { at: 'RestRepository', required: ['id', 'slug', 'name', 'project', 'links'], why: 'repository identity' },
  { at: 'RestRepository.project', required: ['key', 'id', 'name', 'type'], why: 'repository identity' },
  {
    at: 'RestRepository.links',
    required: ['self'],
    properties: { clone: CLONE_LINKS, self: SELF_LINKS },
    why: 'clone URLs and repository link',
  },
  { at: 'RestRepository.origin', required: ['id', 'slug', 'name', 'project'], why: 'fork detection' },
  { at: 'RestRepository.origin.project', required: ['key'], why: 'fork detection' },
  { at: 'RestAccessToken', required: ['id', 'name'], why: 'token list' },
  { at: 'RestRawAccessToken', required: ['id', 'name', 'token'], why: 'token creation' },
  { at: 'RestBranch', required: ['id', 'displayId'], why: 'branch pickers' },
  { at: 'RestMinimalRef', required: ['id', 'displayId'], why: 'default branch' },
  {
    at: 'RestPullRequest',
    required: ['id', 'version', 'title', 'state', 'fromRef', 'toRef', 'author', 'reviewers', 'links'],
    why: 'pull request views and updates (version is needed for every change)',
  },
  { at: 'RestPullRequestParticipant', required: ['user', 'role', 'status'], why: 'reviewer status' },
  {
    at: 'RestPullRequest.links',
    required: ['self'],
    properties: { self: SELF_LINKS },
    why: 'opening a pull request',
  },
  {
    at: 'RestPullRequest.fromRef',
    required: ['id', 'displayId', 'repository'],
    why: 'source of a pull request',
  },
  {
    at: 'RestPullRequest.toRef',
    required: ['id', 'displayId', 'repository'],
    why: 'target of a pull request',
  },
  {
    at: 'RestErrorMessage',
    properties: {
      message: { type: 'string' },
      context: { type: 'string', nullable: true },
      exceptionName: { type: 'string', nullable: true },
      existingPullRequest: { $ref: '#/components/schemas/RestPullRequest' },
      reviewerErrors: { type: 'array', items: { $ref: '#/components/schemas/RestErrorMessage' } },
      validReviewers: { type: 'array', items: { $ref: '#/components/schemas/RestApplicationUser' } },
    },
    why: 'the 409s of creating a pull request: the existing one, the reviewers refused and the valid ones',
  },
  { at: 'RestReviewerGroup', required: ['id', 'name', 'scope', 'users'], why: 'adding a group in one click' },
  { at: 'RestReviewerGroup.scope', required: ['type'], why: 'telling repository groups from project ones' },
  {
    at: 'RestRepositoryPullRequestSettings.mergeConfig',
    required: ['defaultStrategy', 'strategies'],
    why: 'merge strategy shown with a new pull request',
  },
  {
    at: 'RestCommit',
    required: ['id', 'displayId', 'message'],
    why: 'a pull request title from its one commit',
  },
  { at: 'RestSshKey', required: ['id', 'text'], why: 'key list' },
  { at: 'RestGpgKey', required: ['id', 'fingerprint'], why: 'key list' },
];

/**
 * Objects the spec copies inline instead of referring to their component: each is held to every
 * EXTRA_REQUIRED rule of the component it copies (and of that component's nested paths), so a
 * repository inside a pull request's `fromRef` needs what a repository answered alone needs.
 * `[]` in a path stands for the items of an array.
 */
export const NESTED_COPIES: ReadonlyArray<{ at: string; like: string }> = [
  { at: 'RestPullRequest.fromRef.repository', like: 'RestRepository' },
  { at: 'RestPullRequest.toRef.repository', like: 'RestRepository' },
  { at: 'RestPullRequestParticipant.user', like: 'RestApplicationUser' },
  { at: 'ApplicationUser', like: 'RestApplicationUser' },
];

// ─────────────────────────────── the checker ───────────────────────────────

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function asObject(value: unknown): JsonObject {
  if (!isObject(value)) throw new Error('spec: expected an object');
  return value;
}
function entries(value: unknown): Array<[string, Json]> {
  return isObject(value) ? Object.entries(value) : [];
}

function pageOf(items: JsonObject): JsonObject {
  return {
    type: 'object',
    properties: {
      isLastPage: { type: 'boolean' },
      limit: { type: 'number' },
      nextPageStart: { type: 'integer', format: 'int32' },
      size: { type: 'number' },
      start: { type: 'integer', format: 'int32' },
      values: { type: 'array', items },
    },
  };
}

/** The schema object at "Name" or "Name.prop.prop" (following `properties`; `[]` = array items). */
function schemaAt(doc: JsonObject, at: string): JsonObject {
  const [name = '', ...props] = at.split('.');
  let schema = asObject(asObject(asObject(doc.components).schemas)[name]);
  for (const prop of props)
    schema = asObject(prop === '[]' ? schema.items : asObject(schema.properties)[prop]);
  return schema;
}

/** Whether the spec has a schema at this path (see schemaAt). */
function hasSchemaAt(doc: JsonObject, at: string): boolean {
  try {
    schemaAt(doc, at);
    return true;
  } catch {
    return false;
  }
}

function setResponseSchema(
  doc: JsonObject,
  template: string,
  method: string,
  status: string,
  schema: JsonObject,
) {
  const operation = asObject(asObject(asObject(doc.paths)[template])[method]);
  const response = asObject(asObject(operation.responses)[status]);
  response.content = { 'application/json': { schema } };
}

/** Documents an error status (a RestErrors body) the operation does not list. */
function addErrorResponse(
  doc: JsonObject,
  template: string,
  method: string,
  status: string,
  description: string,
) {
  const operation = asObject(asObject(asObject(doc.paths)[template])[method]);
  const responses = asObject(operation.responses);
  if (!responses[status]) {
    responses[status] = { description, content: { 'application/json': { schema: REST_ERRORS } } };
  }
}

function addRule(schema: JsonObject, rule: ExtraRule) {
  if (rule.required) {
    const current = Array.isArray(schema.required)
      ? schema.required.filter((x) => typeof x === 'string')
      : [];
    schema.required = [...new Set([...current, ...rule.required])];
  }
  if (rule.properties) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    for (const [name, value] of Object.entries(rule.properties)) properties[name] = value;
    schema.properties = properties;
    schema.type = 'object';
  }
}

/** Every response schema of every operation. */
function* responseSchemas(doc: JsonObject): Generator<JsonObject> {
  for (const [, item] of entries(doc.paths)) {
    for (const [method, operation] of entries(item)) {
      if (!HTTP_METHODS.has(method) || !isObject(operation)) continue;
      for (const [, response] of entries(operation.responses)) {
        for (const [, media] of entries(isObject(response) ? response.content : undefined)) {
          if (isObject(media) && isObject(media.schema)) yield media.schema;
        }
      }
    }
  }
}

function applyExtraRules(doc: JsonObject) {
  for (const rule of EXTRA_REQUIRED) {
    if (rule.at === 'PAGE' || rule.at === 'ERRORS') {
      for (const schema of responseSchemas(doc)) {
        const properties = isObject(schema.properties) ? schema.properties : undefined;
        if (!properties) continue;
        const isPage = rule.at === 'PAGE' && 'values' in properties && 'isLastPage' in properties;
        const isErrors =
          rule.at === 'ERRORS' && 'errors' in properties && Object.keys(properties).length === 1;
        if (isPage || isErrors) addRule(schema, rule);
      }
      if (rule.at === 'ERRORS') addRule(schemaAt(doc, 'RestErrors'), rule);
      continue;
    }
    addRule(schemaAt(doc, rule.at), rule);
  }
  for (const copy of NESTED_COPIES) {
    schemaAt(doc, copy.at); // throws when the spec has no such copy
    for (const rule of EXTRA_REQUIRED) {
      if (rule.at !== copy.like && !rule.at.startsWith(`${copy.like}.`)) continue;
      const at = copy.at + rule.at.slice(copy.like.length);
      // A copy may leave out parts of the component (ApplicationUser has no links).
      if (rule.at !== copy.like && !hasSchemaAt(doc, at)) continue;
      addRule(schemaAt(doc, at), { ...rule, at });
    }
  }
}

/** "/rest/api/1.0/repos" → "/api/latest/repos" (the spec's paths are relative to /rest, version "latest"). */
export function specPathOf(requestPath: string): string | undefined {
  const match = /^\/rest\/([^/]+)\/(?:1\.0|latest)(\/.*)?$/.exec(requestPath);
  if (!match) return undefined;
  // A trailing slash names the same resource.
  return `/${match[1]}/latest${(match[2] ?? '').replace(/(.)\/+$/, '$1')}`;
}

interface CompiledTemplate {
  template: string;
  regex: RegExp;
  /** Count of literal characters: the most specific template wins. */
  literal: number;
  params: string[];
}

/** Compiles a path template such as "/api/latest/users/{userSlug}" ("{path}" may span segments). */
export function compileTemplate(template: string): CompiledTemplate {
  const params: string[] = [];
  let literal = 0;
  const source = template.replace(/\{([^}]+)\}|[^{]+/g, (part, name: string | undefined) => {
    if (name) {
      params.push(name);
      return name === 'path' ? '(.+)' : '([^/]+)';
    }
    literal += part.length;
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return { template, regex: new RegExp(`^${source}$`), literal, params };
}

/** "permission.N" → /^permission\.\d+$/; undefined for a plain name. */
function numberedParameter(specName: string): RegExp | undefined {
  if (!/\.N(\.|$)/.test(specName)) return undefined;
  const source = specName
    .split('.')
    .map((part) => (part === 'N' ? '\\d+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('\\.');
  return new RegExp(`^${source}$`);
}

export interface SpecOperation {
  template: string;
  method: string;
  operationId?: string;
}

export class Conformance {
  private readonly doc: JsonObject;
  private readonly ajv: Ajv;
  private readonly templates: Array<CompiledTemplate & { methods: Set<string> }> = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(spec: unknown) {
    const doc = structuredClone(asObject(spec));
    for (const fix of SPEC_FIXES) fix.apply(doc);
    applyExtraRules(doc);
    this.doc = doc;
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(this.ajv);
    this.ajv.addSchema(doc, 'openapi');
    for (const [template, item] of entries(doc.paths)) {
      const methods = new Set(Object.keys(isObject(item) ? item : {}).filter((m) => HTTP_METHODS.has(m)));
      this.templates.push({ ...compileTemplate(template), methods });
    }
  }

  static fromFile(specPath: string): Conformance {
    return new Conformance(JSON.parse(readFileSync(specPath, 'utf8')));
  }

  /** The spec operation answering `method` on a request path such as "/rest/api/1.0/users/alice". */
  findOperation(method: string, requestPath: string): SpecOperation | undefined {
    const specPath = specPathOf(requestPath);
    if (!specPath) return undefined;
    const m = method.toLowerCase();
    let best: (CompiledTemplate & { methods: Set<string> }) | undefined;
    for (const t of this.templates) {
      if (!t.methods.has(m) || !t.regex.test(specPath)) continue;
      if (!best || t.literal > best.literal) best = t;
    }
    if (!best) return undefined;
    const operation = asObject(asObject(asObject(this.doc.paths)[best.template])[m]);
    return {
      template: best.template,
      method: m,
      ...(typeof operation.operationId === 'string' ? { operationId: operation.operationId } : {}),
    };
  }

  /**
   * The query parameters the spec documents for the operation answering this request, as the spec
   * names them ("permission.N" stands for permission.1, permission.2, …). Undefined without an
   * operation.
   */
  documentedQueryParameters(method: string, requestPath: string): string[] | undefined {
    const op = this.findOperation(method, requestPath);
    if (!op) return undefined;
    const operation = asObject(asObject(asObject(this.doc.paths)[op.template])[op.method]);
    const names: string[] = [];
    for (const parameter of Array.isArray(operation.parameters) ? operation.parameters : []) {
      if (isObject(parameter) && parameter.in === 'query' && typeof parameter.name === 'string') {
        names.push(parameter.name);
      }
    }
    return names;
  }

  /**
   * The parameters of a request the spec documents for its operation but `honoured` (the handler's
   * own list, in the spec's names) lacks. Parameter names are case-sensitive, as on the server; a
   * parameter the spec doesn't document is not reported (the server ignores it too).
   */
  ignoredQueryParameters(
    method: string,
    requestPath: string,
    present: Iterable<string>,
    honoured: readonly string[],
  ): string[] {
    const documented = this.documentedQueryParameters(method, requestPath) ?? [];
    const ignored = new Set<string>();
    for (const name of present) {
      const spec = documented.find((d) => d === name || numberedParameter(d)?.test(name));
      if (spec !== undefined && !honoured.includes(spec)) ignored.add(name);
    }
    return [...ignored];
  }

  /** Whether the spec has this exact template + method (used to refuse invented routes at start-up). */
  hasOperation(method: string, template: string): boolean {
    return this.templates.some((t) => t.template === template && t.methods.has(method.toLowerCase()));
  }

  /**
   * Checks one response. `body` is the parsed JSON, or undefined when there is none. Returns the
   * problems found; an empty list means the response conforms.
   */
  check(method: string, requestPath: string, status: number, body: unknown): string[] {
    const specPath = specPathOf(requestPath);
    if (!specPath) return [`${requestPath} is not a REST path`];
    const op = this.findOperation(method, requestPath);
    if (!op) return [`the spec has no operation ${method.toUpperCase()} ${specPath}`];
    const name = `${op.operationId ?? op.template} (${method.toUpperCase()} ${op.template})`;
    const responses = asObject(
      asObject(asObject(asObject(this.doc.paths)[op.template])[op.method]).responses,
    );
    const code = responses[String(status)] ? String(status) : responses.default ? 'default' : undefined;
    if (!code) return [`status ${status} is not documented for ${name}`];
    if (body === undefined) return [];
    const content = isObject(responses[code]) ? asObject(responses[code]).content : undefined;
    const mediaType = entries(content).find(([type]) => type.startsWith('application/json'));
    if (!mediaType) return [`${name} documents no JSON body for status ${status}`];
    if (!isObject(mediaType[1]) || !isObject(mediaType[1].schema)) return [];
    const key = `${op.template} ${op.method} ${code} ${mediaType[0]}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const pointer = ['paths', op.template, op.method, 'responses', code, 'content', mediaType[0], 'schema']
        .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/');
      validate = this.ajv.compile({ $ref: `openapi#/${pointer}` });
      this.validators.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? [])
      .slice(0, 10)
      .map(
        (e) =>
          `${name} status ${status}: ${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${
            e.keyword === 'required' ? '' : ` (${e.schemaPath})`
          }`,
      );
  }
}
