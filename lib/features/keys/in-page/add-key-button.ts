/**
 * "Add key from Companion" on the server's account SSH keys page (and GPG keys page): beside the
 * page's own "Add key" action, or floating in the page's corner when the page has none. Its menu
 * lists this browser's keys of that kind (public parts, from the background) and offers to generate
 * a new Ed25519 key; choosing one adds it through the page's signed-in session (page-session.ts),
 * only when the page's user is the profile's user. A pending install the popup started is finished
 * the same way as soon as the page loads. Plain DOM in a shadow root; the button needs nothing from
 * the service worker to show.
 *
 * Test pages (simulator, signed in as alice; bob's pages are dark):
 * /plugins/servlet/ssh/account/keys, /plugins/servlet/ssh/account/keys?simLayout=no-add-key-button
 * (floating fallback), /plugins/servlet/gpg/account/keys.
 */
import { ACCOUNT_KEYS_PAGE_SELECTORS } from '../../../bitbucket/selectors';
import { attachStyledShadow, followPageColorMode, pageColorMode } from '../../../ui/in-page/shadow-host';
import controlsCss from '../../clone/in-page/controls.css?inline';
import { copyText } from '../../clone/in-page/launch';
import { Menu, type MenuContent, type MenuItem } from '../../clone/in-page/menu';
import type { PageKey, PageKeysState, PageProfile } from '../page-messages';
import css from './add-key-button.css?inline';
import {
  addKeyThroughSession,
  type KeyKind,
  type PageFetch,
  pageUserName,
  type SessionAddResult,
  sessionUserName,
} from './page-session';

/** What the button needs from the extension; the content script passes the real ones. */
export interface AddKeyDeps {
  state(signedInAs: string | undefined): Promise<PageKeysState>;
  generate(profileId: string): Promise<PageKey>;
  installed(profileId: string, keyId: string, serverKeyId: number | undefined): Promise<unknown>;
  dismiss(profileId: string, keyId: string): Promise<unknown>;
  fetch: PageFetch;
  /** Copies text (default: the clipboard); false when the browser refused. */
  copy?(text: string): Promise<boolean>;
  /** Shows the page again once a key was added (the server's list then has it). */
  reload(message: string): void;
  /** Only user clicks act (a page can't click for the user); tests of a DOM without them turn this off. */
  trustedOnly?: boolean;
}

export const HOST_ATTRIBUTE = 'data-bsc-add-key';
const KIND_NAMES: Record<KeyKind, string> = { ssh: 'SSH', gpg: 'GPG' };

export interface AddKeyButton {
  readonly host: HTMLElement;
  readonly placement: 'inline' | 'floating';
  /** Adding a key right now (the button must not be rebuilt meanwhile). */
  readonly busy: boolean;
  /** What the status line says now. */
  readonly status: { text: string; tone: Tone } | null;
  /** Says something in the button's status line (e.g. the message kept over a reload). */
  say(text: string, tone?: Tone): void;
  destroy(): void;
}

export type Tone = 'success' | 'warning' | 'busy';

type LoadState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'done'; state: PageKeysState }
  | { status: 'failed'; message: string };

/** The page's own "Add key" action: the link to the add form, else a control named "Add key" (not in a form). */
export function findAddKeyAnchor(doc: Document, kind: KeyKind): Element | null {
  const S = ACCOUNT_KEYS_PAGE_SELECTORS;
  const link = doc.querySelector(kind === 'ssh' ? S.addSshKeyLink : S.addGpgKeyLink);
  if (link) return link;
  const main = doc.querySelector(S.mainContent);
  if (!main) return null;
  for (const control of main.querySelectorAll(S.addKeyControls)) {
    if (control.closest('form') || control.closest(`[${HOST_ATTRIBUTE}]`)) continue;
    if (control.textContent?.replace(/\s+/g, ' ').trim() === S.addKeyText) return control;
  }
  return null;
}

export function mountAddKeyButton(
  doc: Document,
  page: { kind: KeyKind; baseUrl: string },
  deps: AddKeyDeps,
  /** Finish a pending install from the popup at once (the first mount on a page load does). */
  options: { finishPending?: boolean } = {},
): AddKeyButton {
  const anchor = findAddKeyAnchor(doc, page.kind);
  const placement = anchor ? 'inline' : 'floating';
  const host = doc.createElement('bsc-companion-add-key');
  host.setAttribute(HOST_ATTRIBUTE, '');
  host.dataset.placement = placement;
  if (anchor) anchor.after(host);
  else (doc.body ?? doc.documentElement).appendChild(host);

  const shadow = attachStyledShadow(host, controlsCss, css);
  const stopColorMode = followPageColorMode(doc, host);

  const bar = doc.createElement('div');
  bar.className = 'bsc-add-key';
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', 'Bitbucket Server Companion');
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'bsc-add-key-button';
  button.textContent = 'Add key from Companion';
  button.title = `Add one of this browser’s ${KIND_NAMES[page.kind]} keys to your account`;
  const status = doc.createElement('div');
  status.className = 'bsc-status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  bar.append(button, status);
  shadow.appendChild(bar);

  const copy = deps.copy ?? ((text: string) => copyText(doc, text, shadow));
  const trusted = (event: Event) => deps.trustedOnly === false || event.isTrusted;
  let busy = false;
  let said: { text: string; tone: Tone } | null = null;

  const say = (text: string, tone: Tone = 'success') => {
    said = { text, tone };
    status.textContent = text;
    status.className = `bsc-status bsc-tone-${tone}`;
    bar.setAttribute('aria-busy', String(tone === 'busy'));
  };

  // ── the background's answer, asked for when the menu first opens (or a pending install needs it) ──
  let loaded: LoadState = { status: 'idle' };
  const load = (): Promise<PageKeysState | null> => {
    loaded = { status: 'loading' };
    menu.refresh();
    return deps.state(pageUserName(doc) ?? undefined).then(
      (state) => {
        loaded = { status: 'done', state };
        menu.refresh();
        return state;
      },
      (error: unknown) => {
        loaded = { status: 'failed', message: messageOf(error) };
        menu.refresh();
        return null;
      },
    );
  };

  /**
   * Who the page's session belongs to: the server's own word (X-AUSERNAME of a same-origin REST
   * answer), else what the page's header shows.
   */
  const signedInUser = async (): Promise<string | null> => {
    const fromServer = await sessionUserName(deps.fetch, page.baseUrl).catch(() => undefined);
    return fromServer === undefined ? pageUserName(doc) : fromServer;
  };

  /** Adds `key` for `profile`, after checking who is signed in; says what happened. */
  const install = async (profile: PageProfile, key: PageKey | 'generate') => {
    if (busy) return;
    busy = true;
    // aria-disabled, not disabled: the button keeps the keyboard focus meanwhile.
    button.setAttribute('aria-disabled', 'true');
    try {
      say('Checking who is signed in…', 'busy');
      const user = await signedInUser();
      if (!user) {
        say(
          `Nobody is signed in to this server: log in as ${profile.userName} and open this page again. Nothing was added.`,
          'warning',
        );
        return;
      }
      if (user.toLowerCase() !== profile.userName.toLowerCase()) {
        say(
          `You are signed in as ${user}, but the Companion’s profile here is ${profile.userName} (${profile.displayName}). Log out, log in as ${profile.userName} and open this page again to add the key. Nothing was added.`,
          'warning',
        );
        return;
      }
      let chosen: PageKey;
      if (key === 'generate') {
        say('Generating an Ed25519 key…', 'busy');
        chosen = await deps.generate(profile.id);
      } else {
        chosen = key;
      }
      say(`Adding “${chosen.label}” to your account…`, 'busy');
      const result = await addKeyThroughSession(deps.fetch, page.baseUrl, chosen);
      await settle(profile, chosen, result);
    } catch (error) {
      say(`${messageOf(error)} Nothing was added.`, 'warning');
    } finally {
      busy = false;
      button.removeAttribute('aria-disabled');
    }
  };

  const settle = async (profile: PageProfile, key: PageKey, result: SessionAddResult) => {
    switch (result.status) {
      case 'added':
      case 'already': {
        const done =
          result.status === 'added'
            ? `Added “${key.label}” to your account.`
            : `“${key.label}” is already on your account.`;
        try {
          await deps.installed(
            profile.id,
            key.id,
            result.status === 'added' ? result.serverKeyId : undefined,
          );
        } catch (error) {
          // The server has the key; only the Companion's note of it is missing.
          say(
            `${done} The Companion could not note it (${messageOf(error)}); its Keys tab may not show it yet.`,
            'warning',
          );
          return;
        }
        say(done);
        if (result.status === 'added') deps.reload(done);
        return;
      }
      case 'elsewhere':
        await deps.dismiss(profile.id, key.id);
        say(
          `“${key.label}” is already on another Bitbucket account on this server, so it can’t be added to yours. Generate a new key for this account.`,
          'warning',
        );
        return;
      case 'refused':
        await deps.dismiss(profile.id, key.id);
        say(`The server refused “${key.label}”: ${result.message}`, 'warning');
        return;
      case 'signed-out':
        say(
          `Your session on this server has ended: log in as ${profile.userName} and open this page again. Nothing was added.`,
          'warning',
        );
        return;
      case 'failed':
        say(`The key could not be added: ${result.message} Nothing was added; try again.`, 'warning');
        return;
    }
  };

  // ── the menu ──
  const menu = new Menu({
    trigger: button,
    container: shadow,
    host,
    label: 'Add key from Companion',
    placement: placement === 'inline' ? 'below' : 'above',
    trustedOnly: deps.trustedOnly !== false,
    content: (): MenuContent => {
      const current = loaded;
      if (current.status === 'idle' || current.status === 'loading') {
        return {
          sections: [{ entries: [{ kind: 'note', text: 'Looking up this browser’s keys…', tone: 'busy' }] }],
        };
      }
      if (current.status === 'failed') {
        return {
          sections: [
            {
              entries: [
                { kind: 'note', text: current.message, tone: 'warning' },
                {
                  kind: 'item',
                  label: 'Try again',
                  onSelect: () => {
                    void load();
                    menu.open('first');
                  },
                },
              ],
            },
          ],
        };
      }
      const { state } = current;
      const items: MenuItem[] = state.keys.map((key) => ({
        kind: 'item',
        label: key.label,
        detail: `${key.typeName} · ${key.kind === 'ssh' ? `SHA256:${key.fingerprint}` : key.fingerprint}${key.installedHere ? ' · added to this account' : ''}`,
        onSelect: () => {
          menu.close(true);
          void install(state.profile, key);
        },
      }));
      const sections: MenuContent['sections'] = [
        {
          label: `This browser’s ${KIND_NAMES[page.kind]} keys`,
          entries: items.length
            ? items
            : [{ kind: 'note', text: `This browser has no ${KIND_NAMES[page.kind]} keys yet.` }],
        },
      ];
      if (state.keys.length) {
        sections.push({
          label: 'Copy a public key',
          entries: state.keys.map((key) => ({
            kind: 'item',
            label: `Copy “${key.label}”`,
            detail: key.kind === 'ssh' ? 'The OpenSSH line' : 'The armored public key block',
            onSelect: () => {
              menu.close(true);
              void copy(key.publicText).then((ok) =>
                ok
                  ? say(`Copied the public key of “${key.label}”.`)
                  : say(
                      'The browser refused the clipboard: copy the key from the Companion’s Keys tab.',
                      'warning',
                    ),
              );
            },
          })),
        });
      }
      if (page.kind === 'ssh') {
        sections.push({
          entries: [
            {
              kind: 'item',
              label: 'Generate a new Ed25519 key',
              onSelect: () => {
                menu.close(true);
                void install(state.profile, 'generate');
              },
            },
          ],
        });
      }
      return {
        sections,
        footer: [
          `Added to ${state.profile.userName}’s account with this page’s session; the Companion’s token is not used.`,
          ...(page.kind === 'ssh'
            ? [
                'A generated key stays in this browser; its private key downloads from the Companion’s options.',
              ]
            : []),
        ],
      };
    },
  });
  button.addEventListener('click', (event) => {
    if (!trusted(event) || busy) return;
    if (loaded.status === 'idle' || loaded.status === 'failed') void load();
    menu.toggle();
  });

  // ── a pending install from the popup: finish it now ──
  if (options.finishPending !== false) {
    void load().then((state) => {
      const pending = state?.pending;
      if (pending) void install(pending.profile, pending.key);
    });
  }

  return {
    host,
    placement,
    get busy() {
      return busy;
    },
    get status() {
      return said;
    },
    say,
    destroy() {
      menu.close(false);
      stopColorMode();
      host.remove();
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'The extension did not answer.';
}

/**
 * On the server's login page while an install waits (the keys page sent the browser here): who to
 * log in as, and that the key is added once the keys page shows again.
 */
export function mountLoginNotice(doc: Document, pending: PageKeysState['pending'] & object): HTMLElement {
  const host = doc.createElement('bsc-companion-login-notice');
  host.setAttribute(HOST_ATTRIBUTE, '');
  host.dataset.placement = 'floating';
  host.dataset.colorMode = pageColorMode(doc);
  const shadow = attachStyledShadow(host, controlsCss, css);
  const notice = doc.createElement('div');
  notice.className = 'bsc-login-notice';
  notice.setAttribute('role', 'status');
  const title = doc.createElement('b');
  title.textContent = 'Bitbucket Server Companion';
  const kind = KIND_NAMES[pending.key.kind];
  const text = doc.createElement('span');
  text.textContent = `Log in as ${pending.profile.userName} to add the ${kind} key “${pending.key.label}” to your account: it is added when you are back on the ${kind} keys page.`;
  notice.append(title, text);
  shadow.append(notice);
  (doc.body ?? doc.documentElement).appendChild(host);
  return host;
}
