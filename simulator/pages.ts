/**
 * The web UI: login, dashboard, projects, repositories, the HTTP access token page, a single sign-on
 * login page, avatars. Markup follows the saved Bitbucket pages in the reference material (ids and
 * classes that scripts and extensions hook into); everything works with plain form posts.
 */

import { handleAccountKeysPage } from './account-keys-pages';
import { html, raw, type SafeHtml, scriptJson } from './html';
import { type Env, type Reply, type Req, readForm, SESSION_COOKIE, safeLocalPath } from './http';
import {
  avatarUrl,
  cloneLinks,
  projectPath,
  repoPath,
  restPullRequest,
  restRepository,
  restUser,
} from './json';
import { colorMode, renderPage, signedInUser } from './layout';
import { isProjectPermission, isRepoPermission, levelOf } from './model';
import {
  type AccessToken,
  Level,
  type Project,
  type PullRequest,
  type Repo,
  type TokenPermission,
  type User,
} from './types';

const page = (status: number, markup: string, headers?: Record<string, string | string[]>): Reply => ({
  kind: 'html',
  status,
  html: markup,
  ...(headers ? { headers } : {}),
});
const redirect = (location: string, headers?: Record<string, string | string[]>): Reply => ({
  kind: 'redirect',
  location,
  ...(headers ? { headers } : {}),
});

function pathWithQuery(req: Req): string {
  const q = req.query.toString();
  return q ? `${req.path}?${q}` : req.path;
}

/** 302 to the login page, coming back here afterwards. */
export function toLogin(env: Env, req: Req): Reply {
  return redirect(`${env.urls.base}/login?next=${encodeURIComponent(pathWithQuery(req))}`);
}

function simplePanel(env: Env, req: Req, title: string, body: SafeHtml, status = 200): Reply {
  const content = html`<section id="content" role="main" tabindex="-1"><div class="aui-page-panel content-body"><div class="aui-page-panel-inner"><main role="main" id="main" class="aui-page-panel-content"><header class="aui-page-header"><div class="aui-page-header-inner"><div class="aui-page-header-main"><h1>${title}</h1></div></div></header>${body}</main></div></div></section>`;
  return page(status, renderPage(env, req, { title, content }));
}

function notFound(env: Env, req: Req): Reply {
  return simplePanel(
    env,
    req,
    'Page not found',
    html`<div class="aui-message aui-message-error"><p>The page you were looking for doesn't exist, or you don't have permission to see it.</p></div>`,
    404,
  );
}

function notPermitted(env: Env, req: Req): Reply {
  if (!signedInUser(req)) return toLogin(env, req);
  return simplePanel(
    env,
    req,
    'Not permitted',
    html`<div class="aui-message aui-message-error"><p>You are not permitted to access this resource.</p></div>`,
    403,
  );
}

// ───────────────────────────── login and logout ─────────────────────────────

export function loginForm(
  env: Env,
  req: Req,
  options: { next?: string; error?: string; username?: string },
): Reply {
  const base = env.urls.contextPath;
  const content = html`<section id="content" role="main" tabindex="-1"><div class="aui-page-panel content-body"><div class="aui-page-panel-inner"><main role="main" id="main" class="aui-page-panel-content"><div class="login-panel"><h2>Log in</h2>${
    options.error
      ? html`<div class="aui-message aui-message-error" id="login-error"><p>${options.error}</p></div>`
      : ''
  }<form class="aui" id="j_atl_security_check" method="post" action="${base}/j_atl_security_check"><div class="field-group"><label for="j_username">Username</label><input class="text" type="text" id="j_username" name="j_username" autocomplete="username" value="${options.username ?? ''}" autofocus></div><div class="field-group"><label for="j_password">Password</label><input class="text" type="password" id="j_password" name="j_password" autocomplete="current-password"></div><div class="field-group checkbox"><input class="checkbox" type="checkbox" id="_atl_remember_me" name="_atl_remember_me" value="on"> <label for="_atl_remember_me" style="display:inline">Keep me logged in</label></div>${
    options.next ? html`<input type="hidden" name="next" value="${options.next}">` : ''
  }<div class="buttons-container"><input class="aui-button aui-button-primary" type="submit" id="submit" name="submit" value="Log in"></div></form></div></main></div></div></section>`;
  return page(200, renderPage(env, req, { title: 'Log in', content }));
}

function sessionCookie(env: Env, value: string, maxAge?: number): string {
  const path = env.urls.contextPath || '/';
  const age = maxAge === undefined ? '' : `; Max-Age=${maxAge}`;
  return `${SESSION_COOKIE}=${value}; Path=${path}; HttpOnly; SameSite=Lax${age}`;
}

function signIn(env: Env, user: User, next: string | undefined, remember: boolean): Reply {
  const session = env.model.createSession(user);
  return redirect(`${env.urls.base}${next ?? '/dashboard'}`, {
    'set-cookie': sessionCookie(env, session.id, remember ? 30 * 86_400 : undefined),
  });
}

async function loginPost(env: Env, req: Req): Promise<Reply> {
  const form = await readForm(req.raw);
  const username = form.get('j_username')?.trim() ?? '';
  const next = safeLocalPath(form.get('next'));
  const user = env.model.user(username);
  if (!user?.active || user.password !== (form.get('j_password') ?? '')) {
    return loginForm(env, req, {
      ...(next ? { next } : {}),
      username,
      error: 'Your username and password are incorrect. Please try again.',
    });
  }
  return signIn(env, user, next, form.get('_atl_remember_me') === 'on');
}

function logout(env: Env, req: Req): Reply {
  if (req.session) env.model.sessions.delete(req.session.id);
  return redirect(`${env.urls.base}/login`, { 'set-cookie': sessionCookie(env, '', 0) });
}

// ───────────────────────────── single sign-on (fault target) ─────────────────────────────

/** A login page of an identity provider, as a proxy with single sign-on would show instead of JSON. */
function ssoPage(env: Env, req: Req, error?: string): Reply {
  const redirectTo = safeLocalPath(req.query.get('redirectTo')) ?? '/dashboard';
  const markup = html`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in - Example Identity Provider</title><style>body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;background:#F4F5F7;color:#172B4D}main{max-width:360px;margin:80px auto;background:#fff;padding:32px;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.2)}label{display:block;margin:12px 0 4px}input{width:100%;padding:8px}button{margin-top:16px;padding:8px 16px}</style></head><body class="idp-login"><main><h1>Sign in to continue</h1><p>Your organisation uses single sign-on for Bitbucket.</p>${
    error ? html`<p class="error" role="alert">${error}</p>` : ''
  }<form method="post" action="${env.urls.contextPath}/plugins/servlet/samlsso" id="sso-login-form"><input type="hidden" name="redirectTo" value="${redirectTo}"><label for="sso-username">Username</label><input id="sso-username" name="username" autocomplete="username"><label for="sso-password">Password</label><input id="sso-password" name="password" type="password" autocomplete="current-password"><button type="submit">Sign in</button></form></main></body></html>`;
  return page(200, markup.value);
}

async function ssoPost(env: Env, req: Req): Promise<Reply> {
  const form = await readForm(req.raw);
  const user = env.model.user(form.get('username')?.trim() ?? '');
  if (!user?.active || user.password !== (form.get('password') ?? '')) {
    return ssoPage(env, req, 'Wrong username or password.');
  }
  return signIn(env, user, safeLocalPath(form.get('redirectTo')), false);
}

// ───────────────────────────── lists ─────────────────────────────

function projectAvatar(project: Project, size: 'small' | 'large'): SafeHtml {
  const initial = [...project.name.trim()][0]?.toUpperCase() ?? '?';
  return html`<span class="aui-avatar aui-avatar-${size} aui-avatar-project" data-tooltip="${project.name}"><span class="aui-avatar-inner"><span class="avatar-initial">${initial}</span></span></span>`;
}

function repoTable(env: Env, repos: Repo[], showProject: boolean): SafeHtml {
  if (repos.length === 0) return html`<p class="empty-state">No repositories to show.</p>`;
  const rows = repos.map(
    (r) =>
      html`<tr class="repository-row" data-repository-id="${r.id}"><td><span class="repository-name"><a href="${env.urls.contextPath}${repoPath(r)}/browse">${r.name}</a></span>${
        r.public || r.project.public ? html` <span class="aui-lozenge public-lozenge">Public</span>` : ''
      }${r.archived ? html` <span class="aui-lozenge archived-lozenge">Archived</span>` : ''}${
        r.origin
          ? html` <span class="fork-origin">forked from ${r.origin.project.key}/${r.origin.slug}</span>`
          : ''
      }</td>${
        showProject
          ? html`<td class="project-name"><a href="${env.urls.contextPath}${projectPath(r.project)}">${r.project.name}</a></td>`
          : ''
      }<td class="repository-description">${r.description ?? ''}</td></tr>`,
  );
  return html`<table class="aui repositories-table"><thead><tr><th>Repository</th>${showProject ? html`<th>Project</th>` : ''}<th>Description</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function dashboard(env: Env, req: Req): Reply {
  const user = signedInUser(req);
  if (!user) return toLogin(env, req);
  const { model } = env;
  const base = env.urls.contextPath;
  const visible = model.pullRequests.filter(
    (pr) => pr.state === 'OPEN' && model.canReadRepo(req.principal, pr.repo),
  );
  const reviewing = visible.filter((pr) => pr.reviewers.some((r) => r.user === user));
  const created = visible.filter((pr) => pr.author === user);
  const prTable = (cls: string, title: string, prs: typeof visible) =>
    html`<section class="${cls}"><h3>${title}</h3>${
      prs.length === 0
        ? html`<div class="empty-state"><p class="dashboard-empty-description">Nothing here.</p></div>`
        : html`<table class="aui dashboard-pull-requests-table"><tbody>${prs.map(
            (pr) =>
              html`<tr class="pull-request-row" data-pull-request-id="${pr.id}"><td class="summary-column"><div class="title-and-target-branch"><span class="title"><a href="${base}${repoPath(pr.repo)}/pull-requests/${pr.id}/overview">${pr.title}</a></span>${pr.draft ? html` <span class="aui-lozenge">Draft</span>` : ''}</div><div class="pull-request-repository">${pr.repo.project.key}/${pr.repo.slug}</div></td><td class="author-column">${pr.author.displayName}</td><td class="state-column"><span class="aui-lozenge">${pr.state}</span></td></tr>`,
          )}</tbody></table>`
    }</section>`;
  const yours = model
    .sortedRepos()
    .filter(
      (r) => r.permissions.has(user.name) || r.project.owner === user || r.project.permissions.has(user.name),
    )
    .slice(0, 10);
  const content = html`<section id="content" role="main" tabindex="-1"><div class="aui-page-panel content-body"><div class="aui-page-panel-inner"><main role="main" id="main" class="aui-page-panel-content"><div id="dashboard-container"><div class="main-panel"><h2>Your work</h2>${prTable('reviewing-pull-requests', 'Reviewing', reviewing)}${prTable('created-pull-requests', 'Created', created)}</div><div class="side-panel"><section class="dashboard-repositories-section dashboard-recent-repositories"><h3>Your repositories</h3><ol class="dashboard-repositories-list">${yours.map(
    (r) => html`<li><a href="${base}${repoPath(r)}/browse">${r.project.name} / ${r.name}</a></li>`,
  )}</ol></section></div></div></main></div></div></section>`;
  return page(200, renderPage(env, req, { title: 'Dashboard', content }));
}

function projectsPage(env: Env, req: Req): Reply {
  const projects = [...env.model.projects.values()]
    .filter((p) => p.type === 'NORMAL' && env.model.canViewProject(req.principal, p))
    .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  if (projects.length === 0 && !signedInUser(req)) return toLogin(env, req);
  const rows = projects.map(
    (p) =>
      html`<tr class="project-row"><td class="project-avatar">${projectAvatar(p, 'small')}</td><td><span class="project-name"><a href="${env.urls.contextPath}${projectPath(p)}">${p.name}</a></span></td><td class="project-key">${p.key}</td><td class="project-description">${p.description ?? ''}</td></tr>`,
  );
  const body = html`<div id="projects-container"><table class="aui projects-table"><thead><tr><th></th><th>Project</th><th>Key</th><th>Description</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  return simplePanel(env, req, 'Projects', body);
}

function projectPage(env: Env, req: Req, project: Project): Reply {
  if (!env.model.canViewProject(req.principal, project)) return notPermitted(env, req);
  const repos = env.model
    .sortedRepos()
    .filter((r) => r.project === project && env.model.canReadRepo(req.principal, r));
  const title = project.type === 'PERSONAL' && project.owner ? project.owner.displayName : project.name;
  const content = html`<section id="content" role="main" tabindex="-1" data-projectKey="${project.key}" data-projectName="${project.name}"><div class="aui-page-panel content-body"><div class="aui-page-panel-inner"><main role="main" id="main" class="aui-page-panel-content"><header class="aui-page-header"><div class="aui-page-header-inner"><div class="aui-page-header-image">${projectAvatar(project, 'large')}</div><div class="aui-page-header-main entity-item"><h1><span class="entity-name" title="${title}">${title}</span></h1>${
    project.type === 'NORMAL' ? html`<p class="project-key">${project.key}</p>` : ''
  }${project.description ? html`<p class="project-description">${project.description}</p>` : ''}</div></div></header><div id="repositories-container">${repoTable(env, repos, false)}</div></main></div></div></section>`;
  return page(200, renderPage(env, req, { title, content, nav: 'projects' }));
}

function reposPage(env: Env, req: Req): Reply {
  const signedIn = Boolean(signedInUser(req));
  const repos = env.model
    .sortedRepos()
    .filter((r) => (signedIn ? env.model.canReadRepo(req.principal, r) : r.public || r.project.public))
    .slice(0, 1000);
  const title = signedIn ? 'Repositories' : 'Public Repositories';
  const content = html`<section id="content" role="main" tabindex="-1"><header class="aui-page-header"><div class="aui-page-header-inner"><div class="aui-page-header-main"><h1><span class="entity-name">${title}</span></h1></div></div></header><div id="aui-page-panel-content-body" class="aui-page-panel content-body" tabindex="-1"><div class="aui-page-panel-inner"><main role="main" id="main" class="aui-page-panel-content"><div id="repository-container">${repoTable(env, repos, true)}</div></main></div></div></section>`;
  return page(200, renderPage(env, req, { title, content, nav: 'repos' }));
}

function accountPage(env: Env, req: Req): Reply {
  const user = signedInUser(req);
  if (!user) return toLogin(env, req);
  const base = env.urls.contextPath;
  const body = html`<nav class="aui-navgroup aui-navgroup-vertical account-nav"><div class="aui-navgroup-inner"><ul class="aui-nav"><li class="aui-nav-selected"><a class="aui-nav-item" href="${base}/account">Account settings</a></li><li><a class="aui-nav-item" href="${base}/plugins/servlet/ssh/account/keys">SSH keys</a></li><li><a class="aui-nav-item" href="${base}/plugins/servlet/gpg/account/keys">GPG keys</a></li><li><a class="aui-nav-item" href="${base}/plugins/servlet/access-tokens/users/${encodeURIComponent(user.slug)}/manage">HTTP access tokens</a></li></ul></div></nav><dl class="account-details"><dt>Username</dt><dd>${user.name}</dd><dt>Display name</dt><dd>${user.displayName}</dd><dt>Email address</dt><dd>${user.emailAddress}</dd><dt>Theme</dt><dd>${colorMode(req)}</dd></dl>`;
  return simplePanel(env, req, 'Account settings', body);
}

// ───────────────────────────── repository pages ─────────────────────────────

type RepoTab = 'browse' | 'commits' | 'branches' | 'pull-requests' | 'forks';

/**
 * `?simLayout=` on a repository or pull request page, a comma-separated list: markup a later or
 * customised Bitbucket might not have, for testing the extension's fallbacks.
 * - `no-clone-button`: no Clone action in the sidebar (and no clone dialog);
 * - `no-repository-script`: no inline `repository.onReady({…})` carrying the repository JSON;
 * - `no-branch-selector`: no branch selector toolbar on the source and commits pages, and no
 *   branch table on the branch list page.
 */
const LAYOUT_SWITCHES = ['no-clone-button', 'no-repository-script', 'no-branch-selector'] as const;
type LayoutSwitch = (typeof LAYOUT_SWITCHES)[number];

function layoutSwitches(req: Req): Set<LayoutSwitch> {
  const asked = (req.query.get('simLayout') ?? '').split(',').map((s) => s.trim());
  return new Set(asked.filter((s): s is LayoutSwitch => (LAYOUT_SWITCHES as readonly string[]).includes(s)));
}

/** The clone dialog lists only the protocols the repository's `links.clone` has, like the server. */
function cloneDialog(env: Env, req: Req, repo: Repo): SafeHtml {
  const links = cloneLinks(repo, env.urls, signedInUser(req)) ?? [];
  const first = links[0];
  if (!first) {
    return html`<aui-inline-dialog id="repo-clone-dialog" alignment="left top"><div id="clone-repo-dialog-content"><div class="aui-message aui-message-warning"><p>Cloning is disabled for this server.</p></div></div></aui-inline-dialog>`;
  }
  const http = links.find((l) => l.name === 'http');
  const buttons = links.map((link) =>
    link.name === 'http'
      ? html`<button id="http-clone-url" class="aui-button repository-protocol" data-module-key="http-clone-url" data-clone-url="${link.href}" autocomplete="off" type="button">HTTP</button>`
      : html`<button id="ssh-clone-url" class="aui-button repository-protocol" data-module-key="ssh-clone-url-default" data-clone-url="${link.href}" autocomplete="off" type="button">SSH</button>`,
  );
  return html`<aui-inline-dialog id="repo-clone-dialog" alignment="left top"><div id="clone-repo-dialog-content"><div class="clone-url ${first.name === 'http' ? 'http-clone-url-default' : 'ssh-clone-url-default'}"><div class="aui-buttons">${buttons}<input type="text" class="text quick-copy-text stash-text clone-url-input" readonly="readonly" spellcheck="false" value="${first.href}"/></div><div id="clone-dialog-options"></div><div id="clone-dialog-help-info"><p>Learn more about cloning repositories</p></div></div>${
    http
      ? html`<div class="sourcetree-panel"><a id="sourcetree-clone-button" class="aui-button aui-button-primary sourcetree-button" href="sourcetree://cloneRepo/${http.href}" autocomplete="off" tabindex="0">Clone in Sourcetree</a></div>`
      : ''
  }</div></aui-inline-dialog>`;
}

function branchFromQuery(repo: Repo, req: Req) {
  const at = req.query.get('at')?.replace(/^refs\/heads\//, '');
  return repo.branches.find((b) => b.name === at) ?? repo.branches.find((b) => b.name === repo.defaultBranch);
}

function repoFiles(repo: Repo): Map<string, string> {
  return repo.files ?? new Map([['README.md', `# ${repo.name}\n\n${repo.description ?? ''}\n`]]);
}

function sidebar(env: Env, req: Req, repo: Repo, tab: RepoTab): SafeHtml {
  const base = env.urls.contextPath;
  const repoUrl = `${base}${repoPath(repo)}`;
  const withCloneButton = !layoutSwitches(req).has('no-clone-button');
  const navItem = (id: string, target: RepoTab, href: string, icon: string, label: string, extraClass = '') =>
    html`<li class="${tab === target ? 'aui-nav-selected' : ''}${extraClass}"><a href="${href}" class="aui-nav-item " id="${id}"><span class="aui-icon ${icon}"></span><span class="aui-nav-item-label">${label}</span></a></li>`;
  const user = signedInUser(req);
  const isAdmin = env.model.repoLevel(req.principal, repo) >= Level.ADMIN;
  const project = repo.project;
  const projectTitle = project.owner ? project.owner.displayName : project.name;
  return html`<div id="aui-sidebar-content" class="aui-sidebar " tabindex="-1"><div class="aui-sidebar-wrapper"><div class="aui-sidebar-body"><header class="aui-page-header"><div class="aui-page-header-inner"><div class="aui-page-header-image"><a href="${base}${projectPath(project)}">${projectAvatar(project, 'large')}</a></div><div class="aui-page-header-main entity-item"><ol class="aui-nav aui-nav-breadcrumbs"><li><a href="${base}${projectPath(project)}" title="${projectTitle}">${projectTitle}</a></li></ol><h1><span class="entity-name" title="${repo.name}">${repo.name}</span></h1></div></div></header><nav class="aui-navgroup aui-navgroup-vertical" role="navigation"><div class="aui-navgroup-inner"><div class="aui-sidebar-group aui-sidebar-group-tier-one sidebar-actions"><div class="aui-nav-heading"><strong>Actions</strong></div><ul class="aui-nav">${
    withCloneButton
      ? html`<li class=" clone-repo"><a href="#" class="aui-nav-item " id="clone-repo-button" data-web-item-key="com.atlassian.bitbucket.server.bitbucket-server-web-fragments:repository-clone" title="Clone this repository"><span class="aui-icon icon-clone"></span><span class="aui-nav-item-label">Clone</span></a></li>`
      : ''
  }<li class=" create-branch"><a href="${base}/plugins/servlet/create-branch?repoId=${repo.id}" class="aui-nav-item " data-web-item-key="com.atlassian.bitbucket.server.bitbucket-branch:create-branch-repository-action"><span class="aui-icon icon-create-branch"></span><span class="aui-nav-item-label">Create branch</span></a></li><li class=" create-pull-request"><a href="${repoUrl}/pull-requests?create" class="aui-nav-item " data-web-item-key="com.atlassian.bitbucket.server.bitbucket-server-web-fragments:repository-pull-request" title="Create a new pull request"><span class="aui-icon icon-create-pull-request"></span><span class="aui-nav-item-label">Create pull request</span></a></li>${
    user && repo.forkable
      ? html`<li class=" fork-repo"><a href="${repoUrl}?fork" class="aui-nav-item " data-web-item-key="com.atlassian.bitbucket.server.bitbucket-server-web-fragments:repository-fork" title="Fork this repository"><span class="aui-icon icon-fork"></span><span class="aui-nav-item-label">Fork</span></a></li>`
      : ''
  }<li><a href="${repoUrl}/compare" class="aui-nav-item " id="repository-nav-compare"><span class="aui-icon icon-compare"></span><span class="aui-nav-item-label">Compare</span></a></li></ul></div>${withCloneButton ? cloneDialog(env, req, repo) : ''}<div class="aui-sidebar-group aui-sidebar-group-tier-one sidebar-navigation"><div class="aui-nav-heading"><strong>Navigation</strong></div><ul class="aui-nav">${navItem('repository-nav-files', 'browse', `${repoUrl}/browse`, 'icon-source', 'Source')}${navItem('repository-nav-commits', 'commits', `${repoUrl}/commits`, 'icon-commits', 'Commits', ' commits-nav')}${navItem('repository-nav-branches', 'branches', `${repoUrl}/branches`, 'icon-branches', 'Branches')}${navItem('repository-nav-pull-requests', 'pull-requests', `${repoUrl}/pull-requests`, 'icon-pull-requests', 'Pull requests')}${navItem('repository-nav-forks', 'forks', `${repoUrl}/forks`, 'icon-forks', 'Forks', ' forks-nav')}</ul></div>${
    isAdmin
      ? html`<div class="aui-sidebar-group aui-sidebar-group-tier-one sidebar-settings-group"><ul class="aui-nav"><li class=" aui-sidebar-settings-button"><a href="${repoUrl}/settings" class="aui-nav-item "><span class="aui-icon icon-settings"></span><span class="aui-nav-item-label">Repository settings</span></a></li></ul></div>`
      : ''
  }</div></nav></div></div></div>`;
}

function branchToolbar(env: Env, req: Req, repo: Repo, filePath: string[]): SafeHtml {
  const branch = branchFromQuery(repo, req);
  if (!branch) return html``;
  const repoUrl = `${env.urls.contextPath}${repoPath(repo)}`;
  const at =
    branch.name === repo.defaultBranch ? '' : `?at=${encodeURIComponent(`refs/heads/${branch.name}`)}`;
  const revisionRef = JSON.stringify({
    latestCommit: branch.latestCommit,
    isDefault: branch.name === repo.defaultBranch,
    id: `refs/heads/${branch.name}`,
    displayId: branch.name,
    type: { name: 'Branch', id: 'branch' },
  });
  const crumbs: SafeHtml[] = [];
  filePath.forEach((segment, i) => {
    const href = `${repoUrl}/browse/${filePath
      .slice(0, i + 1)
      .map(encodeURIComponent)
      .join('/')}${at}`;
    crumbs.push(
      i === filePath.length - 1
        ? html`<span class="sep">/</span><span class="stub">${segment}</span>`
        : html`<span class="sep">/</span><a href="${href}" data-sim-in-page>${segment}</a>`,
    );
  });
  const branchActions = env.version.atLeast('10.0')
    ? html`<div class="ref-selector-more-actions"><button type="button" class="aui-button" aria-label="More actions">…</button></div>`
    : html`<button id="branch-actions" class=" aui-dropdown2-trigger aui-button aui-dropdown2-trigger-arrowless" aria-controls="branch-actions-menu" aria-haspopup="true" role="button" data-aui-trigger autocomplete="off" type="button"><span class="aui-icon aui-icon-small aui-iconfont-more">Branch actions</span></button>`;
  const branchLinks = repo.branches.map(
    (b) =>
      html`<li class="result"><a href="${repoUrl}/browse${
        b.name === repo.defaultBranch ? '' : `?at=${encodeURIComponent(`refs/heads/${b.name}`)}`
      }" data-id="refs/heads/${b.name}" data-sim-in-page>${b.name}</a></li>`,
  );
  return html`<div class="aui-toolbar2 branch-selector-toolbar" role="toolbar"><div class="aui-toolbar2-inner"><div class="aui-toolbar2-primary"><div class="aui-group"><div class="aui-item"><div class="aui-buttons"><button type="button" id="repository-layout-revision-selector" data-aui-trigger aria-controls="inline-dialog-repository-layout-revision-selector-dialog" class="aui-button searchable-selector-trigger revision-reference-selector-trigger" title="${branch.name}"><span class="aui-icon aui-icon-small aui-iconfont-branch">Branch</span><span class="name" title="${branch.name}" data-id="refs/heads/${branch.name}" data-revision-ref="${revisionRef}">${branch.name}</span></button><aui-inline-dialog id="inline-dialog-repository-layout-revision-selector-dialog" class="searchable-selector-dialog" alignment="bottom left" alignment-static><ul class="results-list">${branchLinks}</ul></aui-inline-dialog>${branchActions}</div></div><div class="aui-item"><div class="breadcrumbs"><span class="file-path"><a href="${repoUrl}/browse${at}" data-sim-in-page>${repo.name}</a></span>${crumbs}</div></div></div></div><div class="aui-toolbar2-secondary commit-badge-container"><div class="commit-badge-oneline"><span class="commit-details"><a class="commitid" href="${repoUrl}/commits/${branch.latestCommit}" data-commitid="${branch.latestCommit}">${branch.latestCommit.slice(0, 11)}</a></span></div></div></div></div>`;
}

function browseContent(
  env: Env,
  req: Req,
  repo: Repo,
  filePath: string[],
): { body: SafeHtml; status: number } {
  const repoUrl = `${env.urls.contextPath}${repoPath(repo)}`;
  if (repo.branches.length === 0) {
    // The first clone link the server offers (no http one with HTTP(S) access off).
    const links = cloneLinks(repo, env.urls) ?? [];
    const remote = (links.find((l) => l.name === 'http') ?? links[0])?.href;
    return {
      status: 200,
      body: remote
        ? html`<div class="empty-repository"><h3>This repository is empty</h3><p>Push an existing repository:</p><pre class="source">git remote add origin ${remote}\ngit push -u origin ${repo.defaultBranch}</pre></div>`
        : html`<div class="empty-repository"><h3>This repository is empty</h3><p>Clone access is off on this server.</p></div>`,
    };
  }
  const branch = branchFromQuery(repo, req);
  const at =
    branch && branch.name !== repo.defaultBranch
      ? `?at=${encodeURIComponent(`refs/heads/${branch.name}`)}`
      : '';
  const files = repoFiles(repo);
  const prefix = filePath.join('/');
  const file = files.get(prefix);
  if (file !== undefined) {
    return {
      status: 200,
      body: html`<div id="file-content"><div class="file-toolbar"><div class="primary"><span class="file-name">${filePath.at(-1)}</span></div><div class="secondary"><div class="aui-buttons"><a class="aui-button file-blame" href="${repoUrl}/browse/${filePath.map(encodeURIComponent).join('/')}?blame">Blame</a><a class="aui-button raw-view-link" href="${repoUrl}/raw/${filePath.map(encodeURIComponent).join('/')}${at}">Raw file</a></div></div></div><pre class="source">${file}</pre></div>`,
    };
  }
  const entries = new Map<string, 'file' | 'directory'>();
  for (const path of files.keys()) {
    if (prefix && !path.startsWith(`${prefix}/`)) continue;
    const rest = prefix ? path.slice(prefix.length + 1) : path;
    const [first = '', ...more] = rest.split('/');
    if (!entries.has(first) || more.length > 0) entries.set(first, more.length > 0 ? 'directory' : 'file');
  }
  if (prefix && entries.size === 0) {
    return {
      status: 404,
      body: html`<div class="aui-message aui-message-error"><p>The path ${prefix} does not exist at this revision.</p></div>`,
    };
  }
  const sorted = [...entries].sort(([a, ta], [b, tb]) =>
    ta === tb ? (a < b ? -1 : 1) : ta === 'directory' ? -1 : 1,
  );
  const rows = sorted.map(([name, type]) => {
    const href = `${repoUrl}/browse/${[...filePath, name].map(encodeURIComponent).join('/')}${at}`;
    return html`<tr class="file-row ${type}"><td class="item-name ${type}"><span class="aui-icon aui-icon-small ${
      type === 'directory' ? 'aui-iconfont-folder-filled' : 'aui-iconfont-page-default'
    }"></span><a href="${href}" data-sim-in-page>${name}</a></td></tr>`;
  });
  return {
    status: 200,
    body: html`<div id="browse-table-container"><table class="aui" id="browse-table"><thead><tr><th>Name</th></tr></thead><tbody>${rows}</tbody></table></div>`,
  };
}

function repoTabContent(
  env: Env,
  req: Req,
  repo: Repo,
  tab: RepoTab,
  filePath: string[],
): { body: SafeHtml; status: number } {
  const base = env.urls.contextPath;
  const repoUrl = `${base}${repoPath(repo)}`;
  switch (tab) {
    case 'browse':
      return browseContent(env, req, repo, filePath);
    case 'commits':
      return {
        status: 200,
        body: html`<table class="aui" id="commits-table"><thead><tr><th>Commit</th><th>Branch</th></tr></thead><tbody>${repo.branches.map(
          (b) =>
            html`<tr class="commit-row"><td class="commit"><a class="commitid" href="${repoUrl}/commits/${b.latestCommit}" data-commitid="${b.latestCommit}">${b.latestCommit.slice(0, 11)}</a></td><td class="branch">${b.name}</td></tr>`,
        )}</tbody></table>`,
      };
    case 'branches': {
      // The branch list: a search field and a table with a name column and an actions column (ids
      // and classes as Atlassian's performance toolkit drives them on 8.19–10.0).
      const filter = req.query.get('filterText')?.trim().toLowerCase() ?? '';
      const shown = repo.branches.filter((b) => !filter || b.name.toLowerCase().includes(filter));
      const search = html`<div class="aui-toolbar2 branch-list-toolbar" role="toolbar"><div class="aui-toolbar2-inner"><form class="aui branch-list-search" method="get"><input type="search" class="text" id="paged-table-input-for-branch-list" name="filterText" placeholder="Filter branches" aria-label="Filter branches" value="${filter}"/></form></div></div>`;
      if (layoutSwitches(req).has('no-branch-selector')) {
        return {
          status: 200,
          body: html`${search}<div class="branch-list-unknown-layout"><p>${shown.length} branches</p></div>`,
        };
      }
      return {
        status: 200,
        body: html`${search}<table class="aui paged-table branch-list" id="branch-list"><thead><tr><th id="branch-name-column">Branch</th><th>Latest commit</th><th class="branch-actions-column"><span class="assistive">Actions</span></th></tr></thead><tbody>${shown.map(
          (b) =>
            html`<tr class="branch-row"><td class="branch-name-column"><a href="${repoUrl}/browse${
              b.name === repo.defaultBranch ? '' : `?at=${encodeURIComponent(`refs/heads/${b.name}`)}`
            }">${b.name}</a>${b.name === repo.defaultBranch ? html` <span class="aui-lozenge">Default</span>` : ''}</td><td><span class="commitid">${b.latestCommit.slice(0, 11)}</span></td><td class="branch-actions-column"><button type="button" class="aui-button aui-button-subtle branch-actions-trigger" aria-label="Actions for ${b.name}">…</button></td></tr>`,
        )}</tbody></table>`,
      };
    }
    case 'pull-requests': {
      const state = (req.query.get('state') ?? 'OPEN').toUpperCase();
      const prs = env.model.pullRequests.filter(
        (pr) => pr.repo === repo && (state === 'ALL' || pr.state === state),
      );
      return {
        status: 200,
        body: html`<div id="pull-requests-content"><div class="pull-request-state-filter">${[
          'OPEN',
          'MERGED',
          'DECLINED',
          'ALL',
        ].map(
          (s) =>
            html`<a class="aui-button${s === state ? ' active' : ''}" href="${repoUrl}/pull-requests?state=${s}">${s}</a> `,
        )}</div><table class="aui pull-requests-table"><tbody>${prs.map(
          (pr) =>
            html`<tr class="pull-request-row" data-pull-request-id="${pr.id}"><td class="summary"><a class="pull-request-title" href="${repoUrl}/pull-requests/${pr.id}/overview">${pr.title}</a></td><td class="author">${pr.author.displayName}</td><td class="state"><span class="aui-lozenge">${pr.state}</span></td></tr>`,
        )}</tbody></table></div>`,
      };
    }
    case 'forks': {
      const forks = env.model
        .sortedRepos()
        .filter((r) => r.origin === repo && env.model.canReadRepo(req.principal, r));
      return { status: 200, body: html`<div id="forks-table">${repoTable(env, forks, true)}</div>` };
    }
  }
}

const TAB_TITLES: Record<RepoTab, string> = {
  browse: 'Source',
  commits: 'Commits',
  branches: 'Branches',
  'pull-requests': 'Pull requests',
  forks: 'Forks',
};

/**
 * The page's own behaviour, by event delegation so it keeps working after an in-page navigation:
 * the clone dialog and the branch selector open on click, and links marked `data-sim-in-page`
 * (file tree, breadcrumbs, branches) navigate in the page like Bitbucket's: the next page is
 * fetched, its `#content` (sidebar included) replaces this one and the URL changes with
 * `history.pushState`. Back and forward load the page again.
 */
const PAGE_SCRIPT = raw(
  `<script>(function(){function toggle(el){if(el.hasAttribute('open'))el.removeAttribute('open');else el.setAttribute('open','');}document.addEventListener('click',function(e){var t=e.target;if(!t||!t.closest)return;var clone=t.closest('#clone-repo-button');if(clone){e.preventDefault();var d=document.getElementById('repo-clone-dialog');if(d)toggle(d);return;}var p=t.closest('#repo-clone-dialog .repository-protocol');if(p){var input=document.querySelector('#repo-clone-dialog .clone-url-input');if(input)input.value=p.getAttribute('data-clone-url');return;}if(t.closest('#repository-layout-revision-selector')){var l=document.getElementById('inline-dialog-repository-layout-revision-selector-dialog');if(l)toggle(l);return;}var a=t.closest('a[data-sim-in-page]');if(!a||e.defaultPrevented||e.button!==0||e.metaKey||e.ctrlKey||e.shiftKey||e.altKey)return;e.preventDefault();var href=a.href;fetch(href,{credentials:'same-origin'}).then(function(r){return r.text();}).then(function(text){var next=new DOMParser().parseFromString(text,'text/html');var content=next.getElementById('content'),current=document.getElementById('content');if(!content||!current){location.href=href;return;}current.replaceWith(document.importNode(content,true));document.title=next.title;history.pushState({simInPage:true},'',href);},function(){location.href=href;});});window.addEventListener('popstate',function(){location.reload();});})();</script>`,
);

/**
 * `require('bitbucket/internal/layout/repository/repository').onReady(<RestRepository>, '#clone-repo-button')`
 * with the repository as REST answers it for the signed-in user (its `links.clone` included).
 */
function repositoryScript(env: Env, req: Req, repo: Repo): SafeHtml {
  if (layoutSwitches(req).has('no-repository-script')) return html``;
  return html`<script>require('bitbucket/internal/layout/repository/repository').onReady(${scriptJson(
    restRepository(repo, env.urls, env.version, signedInUser(req)),
  )}, '#clone-repo-button');</script>`;
}

function repoPage(env: Env, req: Req, repo: Repo, tab: RepoTab, filePath: string[]): Reply {
  if (!env.model.canReadRepo(req.principal, repo)) return notPermitted(env, req);
  const base = env.urls.contextPath;
  const project = repo.project;
  const projectTitle = project.owner ? project.owner.displayName : project.name;
  const { body, status } = repoTabContent(env, req, repo, tab, filePath);
  const toolbar =
    (tab === 'browse' || tab === 'commits') && !layoutSwitches(req).has('no-branch-selector')
      ? branchToolbar(env, req, repo, filePath)
      : html``;
  const content = html`<section id="content" role="main" tabindex="-1" data-timezone="0" data-repoSlug="${repo.slug}" data-projectKey="${project.key}" data-repoName="${repo.name}" data-projectName="${project.name}"><section class="notifications"></section>${sidebar(
    env,
    req,
    repo,
    tab,
  )}<div class="aui-page-panel content-body" id="aui-page-panel-content-body" tabindex="-1"><div class="aui-page-panel-inner"><section class="aui-page-panel-content" id="main"><header class="aui-page-header page-header-flex"><div class="aui-page-header-inner"><div class="aui-page-header-main"><ol class="aui-nav aui-nav-breadcrumbs repository-breadcrumbs"><li><a href="${base}${projectPath(project)}" title="${projectTitle}">${projectTitle}</a></li><li class="aui-nav-selected"><a href="${base}${repoPath(repo)}/browse" title="${repo.name}">${repo.name}</a></li></ol><h2 class="page-panel-content-header">${TAB_TITLES[tab]}</h2>${
    repo.description ? html`<p class="repository-description">${repo.description}</p>` : ''
  }</div></div></header>${toolbar}${body}</section></div></div></section>`;
  const scripts = html`${repositoryScript(env, req, repo)}<div id="branch-actions-menu" class="aui-dropdown2 aui-style-default" role="menu" aria-hidden="true"><div role="application"></div></div><script>require('bitbucket/internal/layout/branch/branch').onReady('#repository-layout-revision-selector');</script>${PAGE_SCRIPT}`;
  const title = `${TAB_TITLES[tab]} - ${repo.name}`;
  return page(
    status,
    renderPage(env, req, { title, bodyClass: 'aui-page-sidebar bitbucket-theme', content, scripts }),
  );
}

function rawFile(env: Env, req: Req, repo: Repo, filePath: string[]): Reply {
  if (!env.model.canReadRepo(req.principal, repo)) return notPermitted(env, req);
  const content = repo.branches.length ? repoFiles(repo).get(filePath.join('/')) : undefined;
  if (content === undefined) return notFound(env, req);
  return { kind: 'raw', status: 200, body: content, headers: { 'content-type': 'text/plain;charset=UTF-8' } };
}

/** Pages below `/projects/KEY/repos/slug/…` or `/users/slug/repos/slug/…`. */
function repoRoute(env: Env, req: Req, repo: Repo, rest: string[]): Reply {
  const [first = '', ...more] = rest;
  const repoUrl = `${env.urls.base}${repoPath(repo)}`;
  if (first === '') return redirect(`${repoUrl}/browse`);
  if (first === 'browse') return repoPage(env, req, repo, 'browse', more.filter(Boolean));
  if (first === 'raw') return rawFile(env, req, repo, more.filter(Boolean));
  if (
    (first === 'commits' || first === 'branches' || first === 'pull-requests' || first === 'forks') &&
    more.length === 0
  ) {
    return repoPage(env, req, repo, first, []);
  }
  if (!env.model.canReadRepo(req.principal, repo)) return notPermitted(env, req);
  if (first === 'pull-requests' && /^\d+$/.test(more[0] ?? '') && more.length <= 2) {
    const pr = env.model.pullRequest(repo, Number(more[0]));
    const tab = more[1] ?? '';
    if (pr && tab === '') return redirect(`${repoUrl}/pull-requests/${pr.id}/overview`);
    if (pr && (tab === 'overview' || tab === 'diff' || tab === 'commits'))
      return pullRequestPage(env, req, pr, tab);
  }
  return notFound(env, req);
}

// ───────────────────────────── pull request page ─────────────────────────────

type PullRequestTab = 'overview' | 'diff' | 'commits';

/**
 * A pull request page (read-only). Its data is in the inline
 * `define('@bitbucket/apps/pull-requests/initial-data', {…})` module like on 8.x+ pages; the markup
 * carries the class names and test ids that scripts are known to use.
 */
function pullRequestPage(env: Env, req: Req, pr: PullRequest, tab: PullRequestTab): Reply {
  const ctx = env.urls.contextPath;
  const repo = pr.repo;
  const prUrl = `${ctx}${repoPath(repo)}/pull-requests/${pr.id}`;
  const user = signedInUser(req);
  const level = env.model.repoLevel(req.principal, repo);
  const sourceLevel = env.model.repoLevel(req.principal, pr.fromRepo);
  const tabItem = (id: PullRequestTab, label: string) =>
    html`<li class="menu-item${id === tab ? ' active-tab' : ''}" data-testid="tab-${id.toUpperCase()}" role="tab" aria-selected="${id === tab ? 'true' : 'false'}"><a href="${prUrl}/${id}">${label}</a></li>`;
  const reviewer = (p: PullRequest['reviewers'][number]) =>
    html`<li class="reviewer" data-username="${p.user.name}" data-status="${p.status}"><span class="aui-avatar aui-avatar-small"><span class="aui-avatar-inner"><img src="${avatarUrl(p.user, env.urls, 48)}" alt="${p.user.displayName}" data-testid="pull-request-reviewer-${p.user.slug}--image"></span></span> <span class="reviewer-name">${p.user.displayName}</span> <span class="aui-lozenge reviewer-status">${
      p.status === 'NEEDS_WORK' ? 'Requested changes' : p.status === 'APPROVED' ? 'Approved' : 'Not reviewed'
    }</span></li>`;
  const panel =
    tab === 'overview'
      ? html`<div class="pull-request-overview"><div class="pull-request-description">${pr.description ?? ''}</div><div class="pull-request-activities"></div></div>`
      : tab === 'diff'
        ? html`<div class="changes-scope-content"><p class="changes-summary">Changes from ${pr.fromBranch} into ${pr.toBranch}.</p></div>`
        : html`<div class="commits-table-wrapper"><table class="aui commits-table"><thead><tr><th class="message">Commit</th></tr></thead><tbody><tr><td class="commit">${
            pr.fromRepo.branches.find((b) => b.name === pr.fromBranch)?.latestCommit.slice(0, 11) ?? ''
          }</td></tr></tbody></table></div>`;
  const merge =
    pr.state === 'OPEN' && level >= Level.WRITE
      ? html`<div class="merge-button-container"><button type="button" class="aui-button merge-button"${pr.draft ? raw(' disabled') : ''}>Merge</button></div>`
      : '';
  const body = html`<div id="pull-requests-container"><header class="pull-request-header"><div class="pull-request-header-bar"><div class="pull-request-branches"><span class="ref-lozenge"><span class="ref-lozenge-content">${pr.fromBranch}</span></span> <span class="arrow">→</span> <span class="ref-lozenge"><span class="ref-lozenge-content">${pr.toBranch}</span></span></div><div class="pull-request-actions">${merge}<div class="pull-request-more-actions"><button type="button" class="aui-button" data-testid="more-actions--trigger" aria-label="More actions">…</button></div></div></div><div class="pull-request-title-review-section"><h2 class="pull-request-title">${pr.title}</h2></div><div class="pull-request-details"><span class="aui-avatar aui-avatar-small"><span class="aui-avatar-inner"><img src="${avatarUrl(pr.author, env.urls, 48)}" alt="${pr.author.displayName}" data-testid="pull-request-author--image"></span></span> <span class="pull-request-author">${pr.author.displayName}</span> <span class="aui-lozenge pull-request-state" data-state="${pr.state}">${pr.draft && pr.state === 'OPEN' ? 'Draft' : pr.state}</span></div></header><div class="pull-request-tabs"><ul class="tabs-menu" role="tablist">${tabItem('overview', 'Overview')}${tabItem('diff', 'Diff')}${tabItem('commits', 'Commits')}</ul><div class="tabs-pane" role="tabpanel">${panel}</div></div><aside class="summary-panel"><h3>Reviewers</h3><ul class="pull-request-reviewers">${pr.reviewers.map(reviewer)}</ul></aside></div>`;
  const project = repo.project;
  const content = html`<section id="content" role="main" tabindex="-1" data-timezone="0" data-repoSlug="${repo.slug}" data-projectKey="${project.key}" data-repoName="${repo.name}" data-projectName="${project.name}"><section class="notifications"></section>${sidebar(
    env,
    req,
    repo,
    'pull-requests',
  )}<div class="aui-page-panel content-body" id="aui-page-panel-content-body" tabindex="-1"><div class="aui-page-panel-inner"><section class="aui-page-panel-content" id="main">${body}</section></div></div></section>`;
  const initialData = html`define('@bitbucket/apps/pull-requests/initial-data', {
  currentUser: ${user ? scriptJson(restUser(user, env.urls, 64)) : raw('null')},
  repository: ${scriptJson(restRepository(repo, env.urls, env.version, user))},
  pullRequest: ${scriptJson(restPullRequest(pr, env.urls, env.version, user))},
  relevantContextLines: 10,
  userAttributes: ${scriptJson({
    canDelete: level >= Level.ADMIN || (user === pr.author && level >= Level.READ),
    canWrite: level >= Level.WRITE,
    canReadSourceRepo: env.model.canReadRepo(req.principal, pr.fromRepo),
    isWatching: Boolean(user && (user === pr.author || pr.reviewers.some((r) => r.user === user))),
    canWriteSourceRepo: sourceLevel >= Level.WRITE,
  })},
});`;
  const scripts = html`${repositoryScript(env, req, repo)}<script>${initialData}</script>${PAGE_SCRIPT}`;
  return page(
    200,
    renderPage(env, req, {
      title: `Pull Request #${pr.id}: ${pr.title} - ${repo.name}`,
      bodyClass: 'aui-page-sidebar bitbucket-theme',
      content,
      scripts,
    }),
  );
}

// ───────────────────────────── HTTP access tokens page ─────────────────────────────

const PERMISSION_LABELS: Record<TokenPermission, string> = {
  PROJECT_READ: 'Project read',
  PROJECT_WRITE: 'Project write',
  PROJECT_ADMIN: 'Project admin',
  REPO_READ: 'Repository read',
  REPO_WRITE: 'Repository write',
  REPO_ADMIN: 'Repository admin',
};

function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

interface TokenFormState {
  error?: string;
  name?: string;
  projectPermission?: string;
  repositoryPermission?: string;
  expiryDays?: string;
}

function tokensPage(env: Env, req: Req, owner: User, state: TokenFormState, status = 200): Reply {
  const session = req.session;
  if (!session) return toLogin(env, req);
  const action = `${env.urls.contextPath}/plugins/servlet/access-tokens/users/${encodeURIComponent(owner.slug)}/manage`;
  const created = session.newToken;
  session.newToken = undefined;
  const tokens = env.model.tokensOf(owner).sort((a, b) => b.createdDate - a.createdDate);
  const row = (t: AccessToken) =>
    html`<tr class="access-token-row" data-token-id="${t.id}"><td class="token-name">${t.name}</td><td class="token-permissions">${t.permissions
      .map((p) => PERMISSION_LABELS[p])
      .join(
        ', ',
      )}</td><td class="token-created"><time datetime="${new Date(t.createdDate).toISOString()}">${formatDate(t.createdDate)}</time></td><td class="token-expiry">${
      t.expiresAt === undefined ? 'Never' : formatDate(t.expiresAt)
    }${t.expiresAt !== undefined && t.expiresAt <= Date.now() ? html` <span class="aui-lozenge expired-lozenge">Expired</span>` : ''}</td><td class="token-last-authenticated">${
      t.lastAuthenticated === undefined ? 'Never' : formatDate(t.lastAuthenticated)
    }</td><td class="token-actions"><form method="post" action="${action}"><input type="hidden" name="atl_token" value="${session.atlToken}"><input type="hidden" name="action" value="revoke"><input type="hidden" name="tokenId" value="${t.id}"><button class="aui-button revoke-token-button" type="submit">Revoke</button></form></td></tr>`;
  const option = (value: TokenPermission, selected: string | undefined) =>
    html`<option value="${value}"${value === selected ? raw(' selected') : ''}>${PERMISSION_LABELS[value]}</option>`;
  const projectPermission = state.projectPermission ?? 'PROJECT_READ';
  const repositoryPermission = state.repositoryPermission ?? 'REPO_READ';
  const body = html`${
    created
      ? html`<div class="aui-message aui-message-success" id="token-created" role="status"><p>Your new token <strong class="new-token-name">${created.name}</strong> is ready. Copy it now: you won't be able to see it again.</p><p><code id="token-value" class="token-value">${created.token}</code> <button type="button" class="aui-button" id="copy-token-button" data-clipboard-target="#token-value">Copy</button></p></div>`
      : ''
  }${state.error ? html`<div class="aui-message aui-message-error" id="token-error" role="alert"><p>${state.error}</p></div>` : ''}<table class="aui" id="access-tokens-table"><thead><tr><th>Name</th><th>Permissions</th><th>Created</th><th>Expiry date</th><th>Last authenticated</th><th></th></tr></thead><tbody>${
    tokens.length
      ? tokens.map(row)
      : html`<tr class="no-tokens"><td colspan="6">You have no HTTP access tokens.</td></tr>`
  }</tbody></table><h2 id="create-token-heading">Create token</h2><form class="aui" id="create-token-form" method="post" action="${action}"><input type="hidden" name="atl_token" value="${session.atlToken}"><input type="hidden" name="action" value="create"><div class="field-group"><label for="token-name">Token name<span class="aui-icon icon-required"> (required)</span></label><input class="text" type="text" id="token-name" name="name" maxlength="255" value="${state.name ?? ''}"></div><div class="field-group"><label for="project-permission">Project permissions</label><select class="select" id="project-permission" name="projectPermission">${(
    ['PROJECT_READ', 'PROJECT_WRITE', 'PROJECT_ADMIN'] as const
  ).map((p) =>
    option(p, projectPermission),
  )}</select></div><div class="field-group"><label for="repository-permission">Repository permissions</label><select class="select" id="repository-permission" name="repositoryPermission">${(
    ['REPO_READ', 'REPO_WRITE', 'REPO_ADMIN'] as const
  ).map((p) =>
    option(p, repositoryPermission),
  )}</select><div class="description">The repository permission must be at least as high as the project permission.</div></div><div class="field-group"><label for="expiry-days">Expiry (days)</label><input type="number" id="expiry-days" name="expiryDays" min="1" placeholder="Never expires" value="${state.expiryDays ?? ''}"></div><div class="buttons-container"><button type="submit" class="aui-button aui-button-primary" id="create-token-submit">Create</button></div></form>`;
  const script = raw(
    `<script>(function(){var b=document.getElementById('copy-token-button'),t=document.getElementById('token-value');if(b&&t)b.addEventListener('click',function(){if(navigator.clipboard)navigator.clipboard.writeText(t.textContent).then(function(){b.textContent='Copied';},function(){});});})();</script>`,
  );
  const content = html`<section id="content" role="main" tabindex="-1"><div class="aui-page-panel content-body"><div class="aui-page-panel-inner"><nav class="aui-navgroup aui-navgroup-vertical account-nav" aria-label="Account"><div class="aui-navgroup-inner"><ul class="aui-nav"><li><a class="aui-nav-item" href="${env.urls.contextPath}/account">Account settings</a></li><li><a class="aui-nav-item" href="${env.urls.contextPath}/plugins/servlet/ssh/account/keys">SSH keys</a></li><li class="aui-nav-selected"><a class="aui-nav-item" href="${action}">HTTP access tokens</a></li></ul></div></nav><main role="main" id="main" class="aui-page-panel-content"><header class="aui-page-header"><div class="aui-page-header-inner"><div class="aui-page-header-main"><h1>HTTP access tokens</h1><p>Tokens of ${owner.displayName} (${owner.name}).</p></div></div></header>${body}</main></div></div></section>`;
  return page(status, renderPage(env, req, { title: 'HTTP access tokens', content, scripts: script }), {
    'cache-control': 'no-store',
  });
}

async function tokensPost(env: Env, req: Req, owner: User): Promise<Reply> {
  const session = req.session;
  if (!session) return toLogin(env, req);
  const form = await readForm(req.raw);
  const manage = `${env.urls.base}/plugins/servlet/access-tokens/users/${encodeURIComponent(owner.slug)}/manage`;
  if (form.get('atl_token') !== session.atlToken) {
    return simplePanel(
      env,
      req,
      'XSRF check failed',
      html`<div class="aui-message aui-message-error"><p>The form has expired. Go back and try again.</p></div>`,
      403,
    );
  }
  if (form.get('action') === 'revoke') {
    const token = env.model.tokensOf(owner).find((t) => t.id === form.get('tokenId'));
    if (token) env.model.revokeToken(token.token);
    return redirect(manage);
  }
  const state: TokenFormState = {
    name: form.get('name')?.trim() ?? '',
    projectPermission: form.get('projectPermission') ?? '',
    repositoryPermission: form.get('repositoryPermission') ?? '',
    expiryDays: form.get('expiryDays')?.trim() ?? '',
  };
  const fail = (error: string) => tokensPage(env, req, owner, { ...state, error }, 400);
  if (!state.name) return fail('Enter a name for the token.');
  const project = state.projectPermission ?? '';
  const repository = state.repositoryPermission ?? '';
  if (!isProjectPermission(project) || !isRepoPermission(repository))
    return fail('Choose a project and a repository permission.');
  if (levelOf(repository) < levelOf(project)) {
    return fail('The repository permission must be at least as high as the project permission.');
  }
  let expiryDays: number | undefined;
  if (state.expiryDays) {
    expiryDays = Number(state.expiryDays);
    if (!Number.isInteger(expiryDays) || expiryDays < 1)
      return fail('The expiry must be a whole number of days.');
  }
  const token = env.model.createToken(owner, [project, repository], state.name, expiryDays);
  session.newToken = { name: token.name, token: token.token };
  return redirect(manage);
}

/** Prefill from `?name=…&permissions=PROJECT_READ,REPO_WRITE` (links from the extension). */
function prefill(req: Req): TokenFormState {
  const permissions = (req.query.get('permissions') ?? '').split(',').map((p) => p.trim());
  const state: TokenFormState = {};
  const name = req.query.get('name');
  if (name) state.name = name;
  const project = permissions.find(isProjectPermission);
  const repository = permissions.find(isRepoPermission);
  if (project) state.projectPermission = project;
  if (repository) state.repositoryPermission = repository;
  return state;
}

function tokenOwner(env: Env, req: Req, slug: string): User | Reply {
  const me = signedInUser(req);
  if (!me) return toLogin(env, req);
  const owner = env.model.users.get(slug.toLowerCase());
  if (!owner) return notFound(env, req);
  if (owner !== me && !env.model.isAdmin(me)) return notPermitted(env, req);
  return owner;
}

// ───────────────────────────── avatars ─────────────────────────────

function avatar(user: User): Reply {
  const initial = escapeXml([...user.displayName.trim()][0]?.toUpperCase() ?? '?');
  const hue = (user.id * 67) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 48 48"><rect width="48" height="48" rx="24" fill="hsl(${hue},55%,45%)"/><text x="24" y="31" font-family="sans-serif" font-size="22" text-anchor="middle" fill="#fff">${initial}</text></svg>`;
  return {
    kind: 'raw',
    status: 200,
    body: svg,
    headers: { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=3600' },
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ───────────────────────────── routing ─────────────────────────────

function segments(path: string): string[] | undefined {
  const parts = path.split('/').slice(1);
  const decoded: string[] = [];
  for (const p of parts) {
    try {
      decoded.push(decodeURIComponent(p));
    } catch {
      return undefined;
    }
  }
  return decoded;
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

export async function handlePage(env: Env, req: Req): Promise<Reply> {
  const { model } = env;
  const base = env.urls.base;
  const parts = segments(req.path);
  if (!parts) return notFound(env, req);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const [a = '', b = '', c = '', d = '', e = ''] = parts;

  if (req.path === '/' || req.path === '') return redirect(`${base}/dashboard`);
  if (a === 'login' && parts.length === 1) {
    const next = safeLocalPath(req.query.get('next'));
    if (method === 'GET' && signedInUser(req)) return redirect(`${base}${next ?? '/dashboard'}`);
    return loginForm(env, req, next ? { next } : {});
  }
  if (a === 'j_atl_security_check' && method === 'POST') return loginPost(env, req);
  if (a === 'j_atl_security_logout') return logout(env, req);
  if (a === 'plugins' && b === 'servlet' && c === 'samlsso') {
    return method === 'POST' ? ssoPost(env, req) : ssoPage(env, req);
  }

  if (method === 'GET' && a === 'dashboard' && parts.length === 1) return dashboard(env, req);
  if (method === 'GET' && a === 'projects' && parts.length === 1) return projectsPage(env, req);
  if (method === 'GET' && a === 'repos' && parts.length === 1) return reposPage(env, req);
  if (method === 'GET' && a === 'account' && parts.length === 1) return accountPage(env, req);
  if (method === 'GET' && a === 'profile' && parts.length === 1) {
    const user = signedInUser(req);
    return user ? redirect(`${base}/users/${encodeURIComponent(user.slug)}`) : toLogin(env, req);
  }

  if (a === 'plugins' && b === 'servlet' && (c === 'ssh' || c === 'gpg') && d === 'account' && e === 'keys') {
    const reply = await handleAccountKeysPage(env, req, c, parts.slice(5));
    if (reply) return reply;
  }

  if (a === 'plugins' && b === 'servlet' && c === 'access-tokens') {
    if (method === 'GET' && (d === 'manage' || d === 'add') && parts.length === 4) {
      const user = signedInUser(req);
      if (!user) return toLogin(env, req);
      const q = req.query.toString();
      return redirect(
        `${base}/plugins/servlet/access-tokens/users/${encodeURIComponent(user.slug)}/manage${q ? `?${q}` : ''}`,
      );
    }
    if (d === 'users' && parts.length === 6 && parts[5] === 'manage') {
      const owner = tokenOwner(env, req, e);
      if (isReply(owner)) return owner;
      return method === 'POST' ? tokensPost(env, req, owner) : tokensPage(env, req, owner, prefill(req));
    }
  }

  if (method !== 'GET') return notFound(env, req);

  // A repository of a project (or personal project): an unknown one is 404 only when the project is visible.
  const repoIn = (project: Project, slug: string): Reply => {
    const repo = model.repo(project.key, slug);
    if (!repo)
      return model.canViewProject(req.principal, project) ? notFound(env, req) : notPermitted(env, req);
    return repoRoute(env, req, repo, parts.slice(4));
  };

  if (a === 'projects' && b) {
    const project = model.project(b);
    if (!project) return notFound(env, req);
    if (parts.length === 2) {
      if (project.owner) return redirect(`${base}${projectPath(project)}`);
      return projectPage(env, req, project);
    }
    if (c === 'repos' && d) return repoIn(project, d);
    return notFound(env, req);
  }

  if (a === 'users' && b) {
    const user = model.users.get(b.toLowerCase());
    if (!user) return notFound(env, req);
    if (parts.length === 3 && c === 'avatar.png') return avatar(user);
    const project = model.personalProject(user);
    if (parts.length === 2) return projectPage(env, req, project);
    if (c === 'repos' && d) return repoIn(project, d);
  }

  return notFound(env, req);
}
