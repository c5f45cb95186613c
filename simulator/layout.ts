/**
 * The common page frame, modelled on saved Bitbucket pages (7.6.16 repository page, 8.3.0 public
 * repositories page): head with `meta[name=application-name]`, the AUI header with `#current-user`,
 * `#content`, the footer with `#product-version`, and the inline base-layout script carrying the
 * current user.
 */

import { type HtmlValue, html, raw, type SafeHtml, scriptJson, scriptObjectLiteral } from './html';
import type { Env, Req } from './http';
import { avatarUrl } from './json';
import type { ColorMode, User } from './types';

export interface PageOptions {
  title: string;
  /** `aui-page-sidebar bitbucket-theme` on repository pages, ` bitbucket-theme` elsewhere. */
  bodyClass?: string;
  /** The whole `<section id="content" …>` element. */
  content: SafeHtml;
  /** Page scripts after the base layout script. */
  scripts?: HtmlValue;
  /** Header navigation item to mark as selected. */
  nav?: 'projects' | 'repos';
}

export function signedInUser(req: Req): User | undefined {
  return req.principal.kind === 'user' ? req.principal.user : undefined;
}

/** `?atlThemeColorMode=` wins, then the signed-in user's theme, else light. */
export function colorMode(req: Req): ColorMode {
  const asked = req.query.get('atlThemeColorMode');
  if (asked === 'dark' || asked === 'light') return asked;
  return signedInUser(req)?.theme ?? 'light';
}

/** AUI version shipped with a Bitbucket version (approximate; only used for `data-aui-version`). */
function auiVersion(env: Env): string {
  if (env.version.atLeast('8.16')) return '9.13.4';
  if (env.version.atLeast('8.9')) return '9.4.5';
  if (env.version.atLeast('7.21')) return '9.3.22';
  return '8.1.4';
}

const CSS = `
:root{--bb-bg:#FFFFFF;--bb-sunken:#F7F8F9;--bb-text:#172B4D;--bb-subtle:#44546F;--bb-link:#0052CC;--bb-border:#DCDFE4;--bb-header:#0747A6;--bb-header-text:#FFFFFF;--bb-selected:#E9F2FF;--bb-success:#DCFFF1;--bb-error:#FFECEB}
html[data-color-mode="dark"]{--bb-bg:#1D2125;--bb-sunken:#161A1D;--bb-text:#B6C2CF;--bb-subtle:#9FADBC;--bb-link:#579DFF;--bb-border:#38414A;--bb-header:#22272B;--bb-header-text:#B6C2CF;--bb-selected:#1C2B41;--bb-success:#1C3329;--bb-error:#42221F}
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Noto Sans",Ubuntu,"Droid Sans","Helvetica Neue",sans-serif;font-size:14px;line-height:20px;color:var(--bb-text);background:var(--bb-bg)}
a{color:var(--bb-link);text-decoration:none}a:hover{text-decoration:underline}
.assistive{position:absolute;left:-10000px}
#header .aui-header{display:flex;align-items:center;background:var(--bb-header);color:var(--bb-header-text);padding:0 16px;height:56px}
#header .aui-header-inner{display:flex;width:100%;align-items:center;justify-content:space-between}
#header .aui-header-primary,#header .aui-header-secondary{display:flex;align-items:center;gap:16px}
#header a{color:var(--bb-header-text)}#header .aui-nav{display:flex;gap:16px;list-style:none;margin:0;padding:0}
#header .aui-header-primary{flex:1}#header .aui-header-before{display:none}
#logo a{font-weight:600;font-size:18px}
.aui-avatar-inner img{width:24px;height:24px;border-radius:50%;vertical-align:middle}
.user-dropdown{position:relative}.user-dropdown .aui-dropdown2{display:none;position:absolute;right:0;top:100%;min-width:220px;background:var(--bb-bg);border:1px solid var(--bb-border);border-radius:3px;box-shadow:0 4px 8px rgba(9,30,66,.25);z-index:10}
.user-dropdown:hover .aui-dropdown2,.user-dropdown:focus-within .aui-dropdown2{display:block}
.aui-dropdown2 ul{list-style:none;margin:0;padding:4px 0}.aui-dropdown2 a{display:block;padding:6px 16px;color:var(--bb-text)!important}
#content{display:flex;min-height:calc(100vh - 56px - 80px)}
.aui-sidebar{width:240px;flex:none;background:var(--bb-sunken);border-right:1px solid var(--bb-border);padding:16px}
.aui-nav-heading{font-size:11px;text-transform:uppercase;color:var(--bb-subtle);margin:16px 0 4px}
.aui-navgroup-vertical .aui-nav{list-style:none;margin:0;padding:0}.aui-navgroup-vertical .aui-nav-item{display:block;padding:6px 8px;border-radius:3px;color:var(--bb-text)}
.aui-nav-selected>.aui-nav-item{background:var(--bb-selected);color:var(--bb-link)}
.aui-page-panel{flex:1;padding:24px 32px;min-width:0}.aui-page-panel-content{flex:1;min-width:0}
.aui-page-header h1,.aui-page-header h2{margin:0 0 16px;font-weight:500}
.aui-nav-breadcrumbs{display:flex;gap:8px;list-style:none;margin:0 0 8px;padding:0;color:var(--bb-subtle)}
table.aui{width:100%;border-collapse:collapse}table.aui th,table.aui td{text-align:left;padding:8px;border-bottom:1px solid var(--bb-border)}
.aui-toolbar2{margin:0 0 16px}.aui-toolbar2-inner{display:flex;align-items:center;justify-content:space-between;gap:12px}
.aui-toolbar2-primary .aui-group,.aui-buttons{display:flex;align-items:center;gap:8px}
.breadcrumbs .sep{margin:0 4px;color:var(--bb-subtle)}
.aui-nav-breadcrumbs li+li::before{content:"/";margin-right:8px}
.aui-icon{display:inline-block;font-size:0;vertical-align:middle;min-width:16px;text-align:center}
.aui-icon::before{font-size:14px;content:"•"}
.icon-clone::before{content:"↓"}.icon-create-branch::before{content:"+"}.aui-iconfont-branch::before,.icon-branches::before{content:"⋔"}
.icon-create-pull-request::before,.icon-pull-requests::before{content:"⇄"}.icon-compare::before{content:"⇆"}.icon-fork::before,.icon-forks::before{content:"⋎"}
.icon-source::before,.aui-iconfont-page-default::before{content:"▤"}.icon-commits::before{content:"◉"}.icon-settings::before{content:"⚙"}
.aui-iconfont-folder-filled::before{content:"▰"}.aui-iconfont-more::before{content:"⋯"}
.aui-avatar-project .aui-avatar-inner{display:inline-flex;align-items:center;justify-content:center;border-radius:3px;background:#0052CC;color:#fff;font-weight:600}
.aui-avatar-large.aui-avatar-project .aui-avatar-inner{width:48px;height:48px;font-size:20px}.aui-avatar-small.aui-avatar-project .aui-avatar-inner{width:24px;height:24px;font-size:12px}
.aui-sidebar .aui-page-header-inner{display:flex;flex-direction:column;gap:8px}
.commit-badge-container .commitid{font-family:SFMono-Medium,"SF Mono",Menlo,Consolas,monospace}
.sidebar-actions{position:relative}
#pull-requests-container{display:grid;grid-template-columns:1fr 240px;gap:24px}#pull-requests-container>header,.pull-request-tabs{grid-column:1}.summary-panel{grid-column:2;grid-row:1 / span 2}
.pull-request-header-bar{display:flex;justify-content:space-between;align-items:center}.pull-request-actions{display:flex;gap:8px}.tabs-menu{display:flex;gap:16px;list-style:none;padding:0;border-bottom:1px solid var(--bb-border)}.tabs-menu .active-tab{border-bottom:2px solid var(--bb-link)}
.pull-request-reviewers,.dashboard-repositories-list{list-style:none;padding:0}.pull-request-reviewers li{margin:0 0 8px}
#dashboard-container{display:grid;grid-template-columns:1fr 300px;gap:32px}
.account-nav{width:220px;flex:none;padding:24px 0 0 24px}.aui-page-panel-inner{display:flex;gap:24px}
.aui-button{font:inherit;color:var(--bb-text);background:var(--bb-sunken);border:1px solid var(--bb-border);border-radius:3px;padding:4px 10px;cursor:pointer}
.aui-button-primary{background:var(--bb-link);border-color:var(--bb-link);color:#fff}
.aui-message{padding:12px 16px;border-radius:3px;margin:0 0 16px;background:var(--bb-selected)}
.aui-message-success{background:var(--bb-success)}.aui-message-error{background:var(--bb-error)}
form.aui .field-group{margin:0 0 12px}form.aui label{display:block;font-weight:600;margin:0 0 4px}
form.aui input.text,form.aui select,form.aui input[type=number],form.aui input[type=password]{font:inherit;color:var(--bb-text);background:var(--bb-bg);border:1px solid var(--bb-border);border-radius:3px;padding:6px 8px;min-width:280px}
.token-value{font-family:SFMono-Medium,"SF Mono",Menlo,Consolas,monospace;background:var(--bb-bg);padding:4px 8px;border:1px solid var(--bb-border);border-radius:3px;word-break:break-all}
pre.source{background:var(--bb-sunken);border:1px solid var(--bb-border);padding:12px;overflow:auto}
aui-inline-dialog{display:none;position:absolute;z-index:20;background:var(--bb-bg);border:1px solid var(--bb-border);border-radius:3px;box-shadow:0 4px 8px rgba(9,30,66,.25);padding:16px;width:420px}
aui-inline-dialog[open]{display:block}
.clone-url-input{width:100%;font:inherit;margin-top:8px}
.aui-lozenge{font-size:11px;font-weight:700;text-transform:uppercase;padding:0 4px;border-radius:3px;background:var(--bb-sunken)}
#footer{padding:24px;text-align:center;color:var(--bb-subtle);font-size:12px;border-top:1px solid var(--bb-border)}
#footer ul{list-style:none;margin:0;padding:0;display:flex;gap:12px;justify-content:center}
.aui-page-header-inner{display:flex;align-items:flex-start;justify-content:space-between;gap:16px}
form.aui textarea{font-family:SFMono-Medium,"SF Mono",Menlo,Consolas,monospace;font-size:12px;color:var(--bb-text);background:var(--bb-bg);border:1px solid var(--bb-border);border-radius:3px;padding:6px 8px;width:100%;max-width:640px}
.ssh-key-type{font-size:12px;color:var(--bb-subtle)}.account-keys-intro{color:var(--bb-subtle);margin:0 0 16px}
.login-panel{max-width:400px;margin:48px auto;padding:32px;border:1px solid var(--bb-border);border-radius:3px}
`;

/** A tiny stand-in for the page-world module loader, so the server's inline scripts run without errors. */
function loaderShim(env: Env): SafeHtml {
  return html`<script>(function(){var noop=function(){};var module={onReady:noop,preload:noop,initMenu:noop};window.require=window.require||function(){return module;};window.define=window.define||noop;window.AJS=window.AJS||{contextPath:function(){return ${scriptJson(env.urls.contextPath)};},params:{}};})();</script>`;
}

/** `WRM._unparsedData[…context-path]` holds the context path as a JSON string inside a JS string. */
function wrmData(env: Env): SafeHtml {
  const value = JSON.stringify(JSON.stringify(env.urls.contextPath))
    .replace(/\\"/g, '\\u0022')
    .replace(/</g, '\\u003c');
  return raw(
    `<script>\nwindow.WRM=window.WRM||{};window.WRM._unparsedData=window.WRM._unparsedData||{};window.WRM._unparsedErrors=window.WRM._unparsedErrors||{};\nWRM._unparsedData["com.atlassian.plugins.atlassian-plugins-webresource-plugin:context-path.context-path"]=${value};\nif(window.WRM._dataArrived)window.WRM._dataArrived();</script>`,
  );
}

function header(env: Env, req: Req, nav: PageOptions['nav']): SafeHtml {
  const base = env.urls.contextPath;
  const user = signedInUser(req);
  const account = user
    ? html`<li class="user-dropdown"><a class=" aui-dropdown2-trigger user-dropdown-trigger aui-dropdown2-trigger-arrowless" aria-controls="user-dropdown-menu" aria-haspopup="true" role="button" title="Logged in as ${user.displayName} (${user.name})" href="#" data-container=".aui-header-secondary" tabindex="0"><span id="current-user" class="aui-avatar aui-avatar-small" data-emailaddress="${user.emailAddress}" data-username="${user.name}" data-avatarurl-small="${avatarUrl(user, env.urls, 48)}"><span class="aui-avatar-inner"><img src="${avatarUrl(user, env.urls, 48)}" alt="Logged in as ${user.displayName} (${user.name})" /></span></span></a><div id="user-dropdown-menu" class="aui-dropdown2 aui-style-default" role="menu"><div role="application"><div class="aui-dropdown2-section user-settings-section"><ul class="aui-list-truncate" role="presentation"><li role="presentation"><a href="${base}/profile">View profile</a></li><li role="presentation"><a href="${base}/account">Manage account</a></li><li role="presentation"><a href="${base}/plugins/servlet/access-tokens/users/${encodeURIComponent(user.slug)}/manage">HTTP access tokens</a></li></ul></div><div class="aui-dropdown2-section user-logout-section"><ul class="aui-list-truncate" role="presentation"><li role="presentation"><a href="${base}/j_atl_security_logout" class="logout-link">Log out</a></li></ul></div></div></div></li>`
    : html`<li class="user-dropdown"><a id="login-link" href="${base}/login">Log In</a></li>`;
  return html`<header id="header" role="banner"><section class="notifications"></section><nav class="aui-header aui-dropdown2-trigger-group" aria-label="site"><div class="aui-header-inner"><div class="aui-header-before"></div><div class="aui-header-primary"><span id="logo" class="aui-header-logo bitbucket-header-logo"><a href="${env.urls.base}"><span class="aui-header-logo-device">Bitbucket</span></a></span><ul class="aui-nav"><li class="${nav === 'projects' ? 'selected ' : ''}projects-link"><a href="${base}/projects" class="projects-link">Projects</a></li><li class="${nav === 'repos' ? 'selected ' : ''}public-repos-link"><a href="${base}/repos" class="public-repos-link">Repositories</a></li></ul></div><div class="aui-header-secondary"><ul class="aui-nav">${account}</ul></div></div></nav></header>`;
}

function footer(env: Env): SafeHtml {
  const { commitId } = env.build;
  return html`<footer id="footer" role="contentinfo"><section class="notifications"></section><section class="footer-body"><ul><li data-key="footer.license.message">Git repository management for enterprise teams powered by Atlassian Bitbucket</li></ul><ul><li>Atlassian Bitbucket <span title="${commitId}" id="product-version" data-commitid="${commitId}" data-system-build-number="${commitId.slice(0, 7)}"> v${env.version.text}</span></li><li data-key="footer.links.about"><a href="${env.urls.contextPath}/about">About</a></li></ul></section></footer>`;
}

/** `require('bitbucket/internal/layout/base/base').onReady({…current user…}, "<instance name>")`. */
function baseLayoutScript(env: Env, req: Req): SafeHtml {
  const user = signedInUser(req);
  const current = user
    ? scriptObjectLiteral([
        ['id', user.id],
        ['active', user.active],
        ['name', user.name],
        ['slug', user.slug],
        ['displayName', user.displayName],
        ['avatarUrl', avatarUrl(user, env.urls, 48)],
        ['emailAddress', user.emailAddress],
        ['type', user.type],
      ])
    : raw('null');
  return html`<script>require('bitbucket/internal/layout/base/base').onReady(${current}, ${scriptJson(env.model.instanceName)} ); require('bitbucket/internal/widget/keyboard-shortcuts/keyboard-shortcuts').onReady();</script>`;
}

export function renderPage(env: Env, req: Req, options: PageOptions): string {
  const themed = env.version.atLeast('8.16');
  const mode = themed ? colorMode(req) : 'light';
  const htmlAttrs = themed ? html` data-color-mode="${mode}" data-theme="${mode}:${mode}"` : raw('');
  const page = html`<!DOCTYPE html><html lang="en"${htmlAttrs}><head><meta charset="utf-8"><meta http-equiv="X-UA-Compatible" content="IE=edge"><title>${options.title} - ${env.model.instanceName}</title>${wrmData(env)}${loaderShim(env)}<style>${raw(CSS)}</style><meta name="application-name" content="Bitbucket"><link rel="search" href="${env.urls.base}/plugins/servlet/opensearch-descriptor" type="application/opensearchdescription+xml" title="Bitbucket code search"/></head><body class="${options.bodyClass ?? ' bitbucket-theme'}" data-aui-version="${auiVersion(env)}"><ul id="assistive-skip-links" class="assistive"><li><a href="#content">Skip to content</a></li></ul><div id="page"><!-- start #header -->${header(env, req, options.nav)}<!-- Start #content -->${options.content}<!-- Start #footer -->${footer(env)}</div>${baseLayoutScript(env, req)}${options.scripts}</body></html>`;
  return page.value;
}
