/**
 * The account's SSH keys and GPG keys pages: `/plugins/servlet/ssh/account/keys` (list, "Add key"),
 * `/plugins/servlet/ssh/account/keys/add` (the form), and the same under `/plugins/servlet/gpg/…`
 * (that path is a guess: no public source names the GPG keys page). Web session only: without one
 * the page sends the browser to the login page, coming back here afterwards. The forms add keys
 * through the model with the REST resources' own rules, so a user can add a key by hand.
 *
 * No saved copy of the real 8.x–10.x pages exists (see DOM-NOTES.md §3); the markup follows the
 * other account pages (AUI page panel, vertical account navigation, `table.aui`), with the add
 * button `#add-ssh-key-button` / `#add-gpg-key-button` in the page header's actions.
 *
 * `?simLayout=no-add-key-button` leaves the add button out (a layout the extension does not know),
 * for testing its floating fallback.
 */
import { html, type SafeHtml } from './html';
import { type Env, type Reply, type Req, readForm } from './http';
import { renderPage, signedInUser } from './layout';
import { toLogin } from './pages';
import { addGpgKeyFor, addSshKeyFor } from './rest';
import type { GpgKey, Session, SshKey, User } from './types';

export type KeyKind = 'ssh' | 'gpg';

const TITLES: Record<KeyKind, string> = { ssh: 'SSH keys', gpg: 'GPG keys' };

const page = (status: number, markup: string): Reply => ({
  kind: 'html',
  status,
  html: markup,
  headers: { 'cache-control': 'no-store' },
});

function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

function listPath(env: Env, kind: KeyKind): string {
  return `${env.urls.contextPath}/plugins/servlet/${kind}/account/keys`;
}

function accountNav(env: Env, user: User, selected: KeyKind): SafeHtml {
  const base = env.urls.contextPath;
  const item = (kind: KeyKind) =>
    html`<li${kind === selected ? html` class="aui-nav-selected"` : ''}><a class="aui-nav-item" href="${listPath(env, kind)}">${TITLES[kind]}</a></li>`;
  return html`<nav class="aui-navgroup aui-navgroup-vertical account-nav" aria-label="Account"><div class="aui-navgroup-inner"><ul class="aui-nav"><li><a class="aui-nav-item" href="${base}/account">Account settings</a></li>${item('ssh')}${item('gpg')}<li><a class="aui-nav-item" href="${base}/plugins/servlet/access-tokens/users/${encodeURIComponent(user.slug)}/manage">HTTP access tokens</a></li></ul></div></nav>`;
}

function frame(env: Env, req: Req, user: User, kind: KeyKind, title: string, body: SafeHtml, status = 200) {
  const content = html`<section id="content" role="main" tabindex="-1"><div class="aui-page-panel content-body"><div class="aui-page-panel-inner">${accountNav(env, user, kind)}<main role="main" id="main" class="aui-page-panel-content account-keys-page" data-key-kind="${kind}">${body}</main></div></div></section>`;
  return page(status, renderPage(env, req, { title, content }));
}

function header(title: string, actions: SafeHtml | ''): SafeHtml {
  return html`<header class="aui-page-header"><div class="aui-page-header-inner"><div class="aui-page-header-main"><h1>${title}</h1></div>${
    actions ? html`<div class="aui-page-header-actions"><div class="aui-buttons">${actions}</div></div>` : ''
  }</div></header>`;
}

function withoutAddButton(req: Req): boolean {
  return (req.query.get('simLayout') ?? '')
    .split(',')
    .map((s) => s.trim())
    .includes('no-add-key-button');
}

/** Keeps `?atlThemeColorMode=` (and the layout switch) on the links of these pages. */
function carriedQuery(req: Req): string {
  const carried = new URLSearchParams();
  for (const name of ['atlThemeColorMode', 'simLayout']) {
    const value = req.query.get(name);
    if (value) carried.set(name, value);
  }
  const q = carried.toString();
  return q ? `?${q}` : '';
}

function sshRows(keys: SshKey[]): SafeHtml {
  if (keys.length === 0) {
    return html`<tr class="no-keys"><td colspan="5">You have no SSH keys. Add one to clone and push over SSH.</td></tr>`;
  }
  return html`${keys.map(
    (k) =>
      html`<tr class="ssh-key-row" data-key-id="${k.id}"><td class="ssh-key-label">${k.label || '(no label)'}<div class="ssh-key-type">${k.algorithm} ${k.bitLength}</div></td><td class="ssh-key-fingerprint"><code>SHA256:${k.fingerprint}</code></td><td class="ssh-key-created"><time datetime="${new Date(k.createdDate).toISOString()}">${formatDate(k.createdDate)}</time></td><td class="ssh-key-expiry">${
        k.expiryDays === undefined ? 'Never' : formatDate(k.createdDate + k.expiryDays * 86_400_000)
      }</td><td class="ssh-key-last-used">${k.lastAuthenticated === undefined ? 'Never' : formatDate(k.lastAuthenticated)}</td></tr>`,
  )}`;
}

function gpgRows(keys: GpgKey[]): SafeHtml {
  if (keys.length === 0) {
    return html`<tr class="no-keys"><td colspan="4">You have no GPG keys. Add one to have your signed commits verified.</td></tr>`;
  }
  return html`${keys.map(
    (k) =>
      html`<tr class="gpg-key-row" data-key-id="${k.id}"><td class="gpg-key-email">${k.emailAddress}</td><td class="gpg-key-id"><code>${k.id}</code></td><td class="gpg-key-fingerprint"><code>${k.fingerprint}</code></td><td class="gpg-key-expiry">${
        k.expiryDate === undefined ? 'Never' : formatDate(k.expiryDate)
      }</td></tr>`,
  )}`;
}

function listPage(env: Env, req: Req, user: User, kind: KeyKind): Reply {
  const addButton = withoutAddButton(req)
    ? ''
    : html`<a class="aui-button aui-button-primary" id="add-${kind}-key-button" href="${listPath(env, kind)}/add${carriedQuery(req)}">Add key</a>`;
  const table =
    kind === 'ssh'
      ? html`<table class="aui" id="ssh-keys-table"><thead><tr><th>Label</th><th>Fingerprint</th><th>Created</th><th>Expiry</th><th>Last used</th></tr></thead><tbody>${sshRows(
          env.model.sshKeys.filter((k) => k.user === user),
        )}</tbody></table>`
      : html`<table class="aui" id="gpg-keys-table"><thead><tr><th>Email address</th><th>Key ID</th><th>Fingerprint</th><th>Expiry</th></tr></thead><tbody>${gpgRows(
          env.model.gpgKeys.filter((k) => k.user === user),
        )}</tbody></table>`;
  const intro =
    kind === 'ssh'
      ? 'SSH keys let you clone and push over SSH without your password.'
      : 'GPG keys let Bitbucket verify the commits you sign.';
  const body = html`${header(TITLES[kind], addButton)}<p class="account-keys-intro">${intro}</p>${table}`;
  return frame(env, req, user, kind, TITLES[kind], body);
}

interface FormState {
  error?: string;
  text?: string;
  label?: string;
  expiryDays?: string;
}

function addForm(
  env: Env,
  req: Req,
  user: User,
  session: Session,
  kind: KeyKind,
  state: FormState,
  status = 200,
) {
  const title = kind === 'ssh' ? 'Add public key' : 'Add GPG key';
  const sshFields =
    kind === 'ssh'
      ? html`<div class="field-group"><label for="key-label">Key label</label><input class="text" type="text" id="key-label" name="label" maxlength="255" value="${state.label ?? ''}"></div><div class="field-group"><label for="key-expiry">Expiry (days)</label><input type="number" id="key-expiry" name="expiryDays" min="1" placeholder="Never expires" value="${state.expiryDays ?? ''}"></div>`
      : '';
  const body = html`${header(title, '')}${
    state.error
      ? html`<div class="aui-message aui-message-error" id="add-key-error" role="alert"><p>${state.error}</p></div>`
      : ''
  }<form class="aui" id="add-${kind}-key-form" method="post" action="${listPath(env, kind)}/add${carriedQuery(req)}"><input type="hidden" name="atl_token" value="${session.atlToken}"><div class="field-group"><label for="key-text">Key<span class="aui-icon icon-required"> (required)</span></label><textarea class="textarea" id="key-text" name="text" rows="8" cols="70" spellcheck="false">${state.text ?? ''}</textarea></div>${sshFields}<div class="buttons-container"><button type="submit" class="aui-button aui-button-primary" id="add-key-submit" name="submit">Add key</button> <a class="aui-button aui-button-link cancel" href="${listPath(env, kind)}${carriedQuery(req)}">Cancel</a></div></form>`;
  return frame(env, req, user, kind, title, body, status);
}

/** The error sentence of a REST error reply (what the form shows). */
function errorMessage(reply: Reply): string {
  if (reply.kind === 'json') {
    const body = reply.body as { errors?: Array<{ message?: unknown }> } | undefined;
    const message = body?.errors?.[0]?.message;
    if (typeof message === 'string') return message;
  }
  return 'The key could not be added.';
}

async function addPost(env: Env, req: Req, user: User, session: Session, kind: KeyKind): Promise<Reply> {
  const form = await readForm(req.raw);
  const state: FormState = {
    text: form.get('text') ?? '',
    label: form.get('label') ?? '',
    expiryDays: form.get('expiryDays')?.trim() ?? '',
  };
  if (form.get('atl_token') !== session.atlToken) {
    return addForm(
      env,
      req,
      user,
      session,
      kind,
      { ...state, error: 'The form has expired. Try again.' },
      403,
    );
  }
  let reply: Reply;
  if (kind === 'ssh') {
    const days = state.expiryDays ? Number(state.expiryDays) : undefined;
    reply = addSshKeyFor(env, user, {
      text: state.text,
      ...(state.label?.trim() ? { label: state.label } : {}),
      ...(days !== undefined ? { expiryDays: days } : {}),
    });
  } else {
    reply = await addGpgKeyFor(env, user, { text: state.text });
  }
  if (reply.kind === 'json' && reply.status < 300) {
    return {
      kind: 'redirect',
      location: `${env.urls.base}/plugins/servlet/${kind}/account/keys${carriedQuery(req)}`,
      status: 303,
    };
  }
  const status = reply.kind === 'json' ? reply.status : 400;
  return addForm(env, req, user, session, kind, { ...state, error: errorMessage(reply) }, status);
}

/**
 * Answers `/plugins/servlet/{ssh|gpg}/account/keys[/add]` (`rest` is what follows `keys`); undefined
 * for any other path, so the caller answers it.
 */
export async function handleAccountKeysPage(
  env: Env,
  req: Req,
  kind: KeyKind,
  rest: string[],
): Promise<Reply | undefined> {
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const add = rest.length === 1 && rest[0] === 'add';
  if (rest.length > 1 || (rest.length === 1 && !add)) return undefined;
  const user = signedInUser(req);
  const session = req.session;
  if (!user || !session) return toLogin(env, req);
  if (!add) return method === 'GET' ? listPage(env, req, user, kind) : undefined;
  if (method === 'POST') return addPost(env, req, user, session, kind);
  if (method === 'GET') return addForm(env, req, user, session, kind, {});
  return undefined;
}
