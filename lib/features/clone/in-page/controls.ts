/**
 * The in-page controls of a repository page: "Open in…" (a split button: its main part opens the
 * default client, its arrow the menu of every client and "Copy git clone") and "Remotes" (forks
 * and origin as `git remote add` commands). Plain DOM in a shadow root; each menu is built the
 * first time it opens. Showing the button needs nothing from the service worker: the repository
 * and its clone links come from the page, the settings from storage.local.
 *
 * Test pages (simulator, signed in as alice; bob's pages are dark):
 * /projects/PROJ/repos/api/browse (both protocols, forks), /users/bob/repos/api/browse (a fork),
 * /projects/INT/repos/terraform-modules/browse (SSH only), /projects/INT/repos/docs-site/browse
 * (HTTP only), /projects/INT/repos/vendor-mirror/browse (clone access off),
 * /projects/PROJ/repos/api/browse?simLayout=no-clone-button (floating fallback).
 */

import { attachStyledShadow, followPageColorMode } from '../../../ui/in-page/shadow-host';
import { type RemotesState, remotesMenuContent } from '../../remotes/in-page/remotes-menu';
import {
  buildClientUrl,
  findGitClient,
  GIT_CLIENTS,
  type GitClientGroup,
  type GitClientId,
  gitCloneCommand,
} from '../clients';
import type { RemotesAnswer } from '../messages';
import type { CloneSettings } from '../settings';
import { CREDENTIAL_HELPER_NOTE, PROTOCOL_NAMES, type Protocol, pickCloneUrl } from './clone-urls';
import css from './controls.css?inline';
import { chevronIcon, forkIcon, openIcon } from './icons';
import { copyText, launchUrl } from './launch';
import { Menu, type MenuContent, type MenuItem, type MenuNote, type MenuSection } from './menu';
import type { PageRepository } from './repository-data';

/** What the controls need from the extension; the content script passes the real ones. */
export interface ControlsDeps {
  /** The settings as stored now (storage.local; never a secret). */
  readSettings(): Promise<CloneSettings>;
  /** Calls back whenever the settings change; returns the unsubscribe. */
  watchSettings(onChange: () => void): () => void;
  /** Forks and origin from the background (the token stays there). */
  remotes(repo: Pick<PageRepository, 'projectKey' | 'slug'>): Promise<RemotesAnswer>;
  /** Tells the background the user cloned or opened this repository (search ranks it first). */
  used(repoId: number): void;
  /** Only user clicks act (a page can't click for the user); tests of a DOM without them turn this off. */
  trustedOnly?: boolean;
  /** How an app URL is opened and text copied (default: a link click, the clipboard). */
  launch?(url: string): void;
  copy?(text: string): Promise<boolean>;
}

export type Placement = 'sidebar' | 'floating';

export interface Controls {
  readonly host: HTMLElement;
  readonly placement: Placement;
  readonly repo: PageRepository;
  destroy(): void;
}

/** Marks our host elements, so a check can find every copy (and keep exactly one). */
export const HOST_ATTRIBUTE = 'data-bsc-controls';

export const CLONE_ACCESS_OFF = 'This server has clone access switched off: there is no URL to clone from.';
const SETTINGS_NOTE = 'The default client and protocol are set in the Companion’s options.';

/** Shorter names for the button, where the client's own is long. */
const SHORT_NAMES: Partial<Record<GitClientId, string>> = { vscode: 'VS Code' };

export function clientName(clientId: string, short = false): string {
  if (clientId === 'copy') return 'git clone';
  const client = findGitClient(clientId);
  if (!client) return clientId;
  return (short && SHORT_NAMES[client.id]) || client.label;
}

const CLIENT_GROUPS: Array<{ group: GitClientGroup; label: string; columns?: boolean }> = [
  { group: 'vscode', label: 'Editors' },
  { group: 'jetbrains', label: 'JetBrains IDEs', columns: true },
  { group: 'desktop', label: 'Git clients' },
];

interface CloneState {
  /**
   * `listed`: from the page or the background (maybe one protocol only); `off`: none at all;
   * `unknown`: the page didn't say, the background is asked when a menu opens; then `loading`,
   * and `failed` when it couldn't answer.
   */
  status: 'listed' | 'off' | 'unknown' | 'loading' | 'failed';
  links: { http?: string; ssh?: string };
  message?: string;
}

/**
 * Builds the controls for `repo` and puts them beside the page's Clone action (`anchor`), or in
 * the page's corner when there is none.
 */
export function mountControls(
  doc: Document,
  repo: PageRepository,
  anchor: Element | null,
  deps: ControlsDeps,
): Controls {
  const placement: Placement = anchor ? 'sidebar' : 'floating';
  // A list item of the sidebar's actions when Clone is one (an <li> can't hold a shadow root).
  const item = anchor?.closest('li');
  const shadowHost = doc.createElement('bsc-companion-controls');
  const host = item ? doc.createElement('li') : shadowHost;
  if (host !== shadowHost) host.appendChild(shadowHost);
  host.setAttribute(HOST_ATTRIBUTE, '');
  host.dataset.placement = placement;
  shadowHost.dataset.placement = placement;
  if (item) item.after(host);
  else if (anchor) anchor.after(host);
  else (doc.body ?? doc.documentElement).appendChild(host);

  const shadow = attachStyledShadow(shadowHost, css);
  const cleanups: Array<() => void> = [followPageColorMode(doc, shadowHost)];
  let settings: CloneSettings | null = null;
  let statusTimer: ReturnType<typeof setTimeout> | undefined;

  const clone: CloneState =
    repo.cloneAccess === 'listed'
      ? { status: 'listed', links: repo.links }
      : repo.cloneAccess === 'off'
        ? { status: 'off', links: {} }
        : { status: 'unknown', links: {} };

  // ── markup ──
  const bar = doc.createElement('div');
  bar.className = 'bsc-controls';
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', 'Bitbucket Server Companion');

  const split = doc.createElement('div');
  split.className = 'bsc-anchor';
  const main = doc.createElement('button');
  main.type = 'button';
  main.className = 'bsc-action bsc-main';
  const mainLabel = doc.createElement('span');
  mainLabel.className = 'bsc-label';
  mainLabel.textContent = 'Open in…';
  main.append(openIcon(doc), mainLabel);
  const toggle = doc.createElement('button');
  toggle.type = 'button';
  toggle.className = 'bsc-action bsc-toggle';
  toggle.setAttribute('aria-label', 'Open in…');
  toggle.title = 'Open in… (every client, copy git clone)';
  toggle.append(chevronIcon(doc));
  split.append(main, toggle);

  const remotesAnchor = doc.createElement('div');
  remotesAnchor.className = 'bsc-anchor';
  const remotesButton = doc.createElement('button');
  remotesButton.type = 'button';
  remotesButton.className = 'bsc-action bsc-remotes';
  const remotesLabel = doc.createElement('span');
  remotesLabel.className = 'bsc-label';
  remotesLabel.textContent = 'Remotes';
  remotesButton.append(forkIcon(doc), remotesLabel, chevronIcon(doc));
  remotesAnchor.append(remotesButton);

  const status = doc.createElement('div');
  status.className = 'bsc-status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');

  bar.append(split, remotesAnchor, status);
  shadow.appendChild(bar);

  const launch = deps.launch ?? ((url: string) => launchUrl(doc, url, shadow));
  const copy = deps.copy ?? ((text: string) => copyText(doc, text, shadow));
  const trusted = (event: Event) => deps.trustedOnly === false || event.isTrusted;

  const say = (text: string, tone: 'success' | 'warning' = 'success') => {
    status.textContent = text;
    status.className = `bsc-status bsc-tone-${tone}`;
    if (statusTimer) clearTimeout(statusTimer);
    statusTimer = setTimeout(() => {
      status.textContent = '';
    }, 4000);
  };

  const protocol = (): Protocol => settings?.protocol ?? 'http';

  const markUsed = () => {
    if (repo.id !== undefined) deps.used(repo.id);
  };

  /** Opens a client; straight from the click, so the browser may ask "Open <app>?". */
  const openIn = (clientId: string): string | null => {
    const picked = pickCloneUrl(clone.links, protocol());
    if (!picked) return clone.status === 'off' ? CLONE_ACCESS_OFF : 'There is no clone URL to open.';
    const built = buildClientUrl(clientId, { cloneUrl: picked.url, serverBaseUrl: repo.baseUrl });
    if (!built.ok) return built.message;
    launch(built.url);
    markUsed();
    say(`Opening ${clientName(clientId, true)}…`);
    return null;
  };

  const copyClone = (command: string) => {
    void copy(command).then((ok) => {
      if (ok) say('Copied the git clone command.');
      else say('The browser refused the clipboard: copy the command from the menu.', 'warning');
    });
    markUsed();
  };

  const copyLines = (lines: string[], what: string) => {
    void copy(lines.join('\n')).then((ok) => {
      if (ok) say(`Copied ${what}.`);
      else say('The browser refused the clipboard.', 'warning');
    });
  };

  let remotes: RemotesState = { status: 'idle' };
  /** One request for both menus: the answer carries the repository's own clone URLs too. */
  const loadRemotes = () => {
    if (remotes.status === 'loading' || remotes.status === 'done') return;
    remotes = { status: 'loading' };
    if (clone.status === 'unknown' || clone.status === 'failed') clone.status = 'loading';
    deps.remotes(repo).then(
      (answer) => {
        remotes = { status: 'done', answer };
        if (clone.status === 'loading') {
          const { http, ssh } = answer.repository;
          clone.links = { ...(http ? { http } : {}), ...(ssh ? { ssh } : {}) };
          clone.status = http || ssh ? 'listed' : 'off';
        }
        openMenu.refresh();
        remotesMenu.refresh();
      },
      (error: unknown) => {
        remotes = { status: 'failed', message: messageOf(error) };
        if (clone.status === 'loading') {
          clone.status = 'failed';
          clone.message = messageOf(error);
        }
        openMenu.refresh();
        remotesMenu.refresh();
      },
    );
  };

  // ── "Open in…" ──
  const openMenu = new Menu({
    trigger: toggle,
    container: shadow,
    host: shadowHost,
    label: 'Open in…',
    placement: placement === 'sidebar' ? 'below' : 'above',
    trustedOnly: deps.trustedOnly !== false,
    content: () => openInContent(),
  });

  const openInContent = (): MenuContent => {
    if (clone.status === 'off') {
      return { sections: [{ entries: [note(CLONE_ACCESS_OFF, 'warning')] }] };
    }
    if (clone.status === 'loading' || clone.status === 'unknown') {
      return { sections: [{ entries: [note('Looking up the clone URLs…', 'busy')] }] };
    }
    if (clone.status === 'failed') {
      return {
        sections: [
          {
            entries: [
              note(clone.message ?? 'The clone URLs could not be read.', 'warning'),
              {
                kind: 'item',
                label: 'Try again',
                onSelect: () => {
                  loadRemotes();
                  openMenu.open('first');
                },
              },
            ],
          },
        ],
      };
    }
    const picked = pickCloneUrl(clone.links, protocol());
    const defaultClient = settings?.client;
    const clientItem = (client: (typeof GIT_CLIENTS)[number]): MenuItem => {
      const built = picked
        ? buildClientUrl(client.id, { cloneUrl: picked.url, serverBaseUrl: repo.baseUrl })
        : { ok: false as const, message: 'There is no clone URL to open.' };
      return {
        kind: 'item',
        label: client.id === defaultClient ? `${client.label} (default)` : client.label,
        ...(built.ok ? {} : { disabled: built.message }),
        onSelect: () => {
          const problem = openIn(client.id);
          if (problem) say(problem, 'warning');
        },
      };
    };
    const clientSections: MenuSection[] = CLIENT_GROUPS.map(({ group, label, columns }) => ({
      label,
      entries: GIT_CLIENTS.filter((client) => client.group === group).map(clientItem),
      ...(columns ? { columns } : {}),
    })).filter((section) => section.entries.length > 0);
    const copies: MenuItem[] = (['http', 'ssh'] as const).map((p) => {
      const url = clone.links[p];
      const command = url ? gitCloneCommand(url) : undefined;
      const isDefault = defaultClient === 'copy' && p === protocol();
      const label = `Copy git clone (${PROTOCOL_NAMES[p]})${isDefault ? ' (default)' : ''}`;
      if (command?.ok) {
        const text = command.command;
        return { kind: 'item', label, detail: text, onSelect: () => copyClone(text) };
      }
      return {
        kind: 'item',
        label,
        disabled: command
          ? command.message
          : `This repository has no ${PROTOCOL_NAMES[p]} clone URL: the server has ${PROTOCOL_NAMES[p]} access off.`,
        onSelect: () => {},
      };
    });
    const footer = [
      ...(picked ? [`Clients clone over ${PROTOCOL_NAMES[picked.protocol]}.`] : []),
      CREDENTIAL_HELPER_NOTE,
      SETTINGS_NOTE,
    ];
    return {
      sections: [...clientSections, { label: 'Copy', entries: copies }],
      footer,
    };
  };

  // ── "Remotes" ──
  const remotesMenu = new Menu({
    trigger: remotesButton,
    container: shadow,
    host: shadowHost,
    label: 'Remotes',
    placement: placement === 'sidebar' ? 'below' : 'above',
    trustedOnly: deps.trustedOnly !== false,
    content: () =>
      remotesMenuContent({
        state: remotes,
        protocol: protocol(),
        copy: copyLines,
        retry: () => {
          loadRemotes();
          remotesMenu.open('first');
        },
      }),
  });

  // ── behaviour ──
  const onMain = (event: Event) => {
    if (!trusted(event)) return;
    const client = settings?.client ?? 'vscode';
    if (clone.status !== 'listed') {
      if (clone.status === 'unknown') loadRemotes();
      openMenu.open('first');
      return;
    }
    if (client === 'copy') {
      const picked = pickCloneUrl(clone.links, protocol());
      const command = picked ? gitCloneCommand(picked.url) : undefined;
      if (command?.ok) copyClone(command.command);
      else openMenu.open('first');
      return;
    }
    const problem = openIn(client);
    if (problem) {
      openMenu.open('first');
      say(problem, 'warning');
    }
  };
  main.addEventListener('click', onMain);
  toggle.addEventListener('click', (event) => {
    if (!trusted(event)) return;
    remotesMenu.close(false);
    if (clone.status === 'unknown') loadRemotes();
    openMenu.toggle();
  });
  remotesButton.addEventListener('click', (event) => {
    if (!trusted(event)) return;
    openMenu.close(false);
    if (remotes.status === 'idle') loadRemotes();
    remotesMenu.toggle();
  });

  const applySettings = (next: CloneSettings) => {
    settings = next;
    const name = clientName(next.client, true);
    mainLabel.textContent = next.client === 'copy' ? 'Copy git clone' : `Open in ${name}`;
    main.title =
      next.client === 'copy'
        ? `Copy the git clone command (${PROTOCOL_NAMES[next.protocol]})`
        : `Open this repository in ${name} (${PROTOCOL_NAMES[next.protocol]})`;
    openMenu.refresh();
    remotesMenu.refresh();
  };
  const refreshSettings = () => {
    deps.readSettings().then(applySettings, () => {});
  };
  refreshSettings();
  cleanups.push(deps.watchSettings(refreshSettings));

  return {
    host,
    placement,
    repo,
    destroy() {
      openMenu.close(false);
      remotesMenu.close(false);
      if (statusTimer) clearTimeout(statusTimer);
      for (const cleanup of cleanups) cleanup();
      host.remove();
    },
  };
}

function note(text: string, tone: MenuNote['tone'] = 'info'): MenuNote {
  return { kind: 'note', text, tone };
}

function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'The extension did not answer.';
}
