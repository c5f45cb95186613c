/**
 * "Open in…" for Git clients, and the clone command: URLs built in each client's own scheme,
 * from a clone URL checked first. Pure: no browser API.
 *
 * Safety. A URL handed to a client ends up in a `git clone` on the user's machine, so a clone URL
 * is refused unless it is a plain http, https or ssh URL: no `ext::` or other `transport::` form
 * (Sourcetree's cloneRepo ran `ext::` commands, CVE-2019-11582), no space, control or invisible
 * character, nothing outside URL characters, no leading "-" (read as an option by git), no query
 * or fragment (clients cut the URL there). HTTPS clones rely on the user's git credential helper:
 * the user name and password in an http(s) URL (`https://alice:token@host/…`) are removed before
 * anything is shown, copied or launched; the user of an ssh URL (`ssh://git@host:7999/…`) is part
 * of the address and stays. The launched URL's scheme is checked against an allow-list last.
 *
 * GitKraken is left out: its link (`gitkraken://repolink/<root commit>?url=…`) needs the
 * repository's first commit, which Bitbucket's REST API only reaches by paging through the whole
 * history (commits come newest first), so it is not cheap to know.
 */

export type GitClientId =
  | 'vscode'
  | 'vscode-insiders'
  | 'vscodium'
  | 'cursor'
  | 'intellij-idea'
  | 'pycharm'
  | 'phpstorm'
  | 'webstorm'
  | 'rider'
  | 'goland'
  | 'clion'
  | 'rubymine'
  | 'rustrover'
  | 'github-desktop'
  | 'sourcetree'
  | 'tower';

export type GitClientGroup = 'vscode' | 'jetbrains' | 'desktop';

export interface GitClient {
  id: GitClientId;
  label: string;
  group: GitClientGroup;
  /** The URL scheme the client registers (without ":"). */
  scheme: string;
  /** JetBrains Toolbox's tag for the IDE (the host part of its URL). */
  toolTag?: string;
  /** Where the URL form comes from. */
  source: string;
}

const VSCODE_SOURCE =
  'VS Code git extension, extensions/git/src/protocolHandler.ts: path /clone, query "url" (parsed with querystring)';
const JETBRAINS_SOURCE =
  'JetBrains/toolbox-browser-extension, src/content/services/Toolbox.js (getToolboxCloneUrl) and src/content/models/Tool.js (tags)';

export const GIT_CLIENTS: readonly GitClient[] = [
  { id: 'vscode', label: 'Visual Studio Code', group: 'vscode', scheme: 'vscode', source: VSCODE_SOURCE },
  {
    id: 'vscode-insiders',
    label: 'VS Code Insiders',
    group: 'vscode',
    scheme: 'vscode-insiders',
    source: VSCODE_SOURCE,
  },
  {
    id: 'vscodium',
    label: 'VSCodium',
    group: 'vscode',
    scheme: 'vscodium',
    source: `${VSCODE_SOURCE}; VSCodium builds VS Code with urlProtocol "vscodium"`,
  },
  {
    id: 'cursor',
    label: 'Cursor',
    group: 'vscode',
    scheme: 'cursor',
    source: `${VSCODE_SOURCE}; Cursor is a VS Code build registering "cursor"`,
  },
  ...(
    [
      ['intellij-idea', 'IntelliJ IDEA', 'idea'],
      ['pycharm', 'PyCharm', 'pycharm'],
      ['phpstorm', 'PhpStorm', 'php-storm'],
      ['webstorm', 'WebStorm', 'web-storm'],
      ['rider', 'Rider', 'rd'],
      ['goland', 'GoLand', 'goland'],
      ['clion', 'CLion', 'clion'],
      ['rubymine', 'RubyMine', 'rubymine'],
      ['rustrover', 'RustRover', 'rustrover'],
    ] as const
  ).map(
    ([id, label, toolTag]): GitClient => ({
      id,
      label,
      group: 'jetbrains',
      scheme: 'jetbrains',
      toolTag,
      source: JETBRAINS_SOURCE,
    }),
  ),
  {
    id: 'github-desktop',
    label: 'GitHub Desktop',
    group: 'desktop',
    scheme: 'x-github-client',
    source:
      'desktop/desktop, app/src/lib/parse-app-url.ts: host "openRepo", the path after "/" taken as the URL as is',
  },
  {
    id: 'sourcetree',
    label: 'Sourcetree',
    group: 'desktop',
    scheme: 'sourcetree',
    // Bitbucket Server 7.6's own clone dialog links `sourcetree://cloneRepo/<url>`; the Stash
    // form below also names the server, so Sourcetree can tie the clone to the user's account.
    source:
      'Stash "Clone in Sourcetree": cloneRepo?type=stash&cloneUrl=<encoded>&baseWebUrl=<server>, as in ls1intum/Artemis, external-cloning.service.ts',
  },
  {
    id: 'tower',
    label: 'Tower',
    group: 'desktop',
    scheme: 'gittower',
    source: 'Tower help, "URL scheme" (macOS and Windows): gittower://openRepo/<remote repository URL>',
  },
];

/** Every scheme a built URL may have; checked after building, whatever the table says. */
const LAUNCH_SCHEMES: ReadonlySet<string> = new Set([
  'vscode',
  'vscode-insiders',
  'vscodium',
  'cursor',
  'jetbrains',
  'x-github-client',
  'sourcetree',
  'gittower',
]);

export type Refusal = { ok: false; message: string };
export type CloneUrlCheck = { ok: true; url: string } | Refusal;
export type ClientUrl = { ok: true; url: string } | Refusal;
export type Command = { ok: true; command: string } | Refusal;

/** Longer than any real clone URL; keeps what is launched and copied reasonable. */
const MAX_URL_LENGTH = 2000;
/** Characters a URL may hold as it is (RFC 3986), without "?" and "#". */
const URL_CHARS = /^[A-Za-z0-9\-._~:/[\]@!$&'()*+,;=%]*$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const TRANSPORT_FORM = /^[A-Za-z0-9+.-]*::/;
const HAS_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const CONTROL = /\p{Cc}/u;
const SPACE = /[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

/**
 * `url` without the user name and password of an http(s) URL, and without the password of any
 * other (an ssh URL keeps its user: `ssh://git@host/…`). The text is otherwise left as it is.
 */
export function stripUserInfo(url: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#\\]*)@/.exec(url);
  if (!match) return url;
  const [whole, prefix, userInfo] = match as unknown as [string, string, string];
  const rest = url.slice(whole.length);
  if (/^https?:\/\/$/i.test(prefix)) return prefix + rest;
  const user = userInfo.split(':')[0]!;
  return user ? `${prefix}${user}@${rest}` : prefix + rest;
}

/** Whether `url` may be shown, copied and handed to a client as it is (see `checkCloneUrl`). */
export function isSafeCloneUrl(url: string): boolean {
  return checkCloneUrl(url).ok;
}

/**
 * The clone URL if it is a plain http, https or ssh URL that is safe to hand on as it is, or the
 * sentence saying why not. An http(s) URL must already be without user info (`stripUserInfo`).
 */
export function checkCloneUrl(url: string): CloneUrlCheck {
  const refuse = (why: string): CloneUrlCheck => ({ ok: false, message: `This clone URL ${why}` });
  if (typeof url !== 'string' || url.length === 0) return { ok: false, message: 'There is no clone URL.' };
  if (url.length > MAX_URL_LENGTH) return refuse('is too long (over 2,000 characters).');
  if (url.startsWith('-')) return refuse('starts with "-", which git would read as an option.');
  if (/ext::/i.test(url) || TRANSPORT_FORM.test(url)) {
    return refuse('uses git’s “transport::address” form (such as ext::), which can run commands.');
  }
  if (CONTROL.test(url)) return refuse('contains a control character (such as a line break or tab).');
  if (SPACE.test(url)) return refuse('contains a space.');
  if (INVISIBLE.test(url)) return refuse('contains an invisible character.');
  if (/[?#]/.test(url)) return refuse('has a query or fragment (“?” or “#”), which no clone URL has.');
  if (!URL_CHARS.test(url)) return refuse('contains characters a URL cannot hold as they are.');
  if (BAD_PERCENT.test(url)) return refuse('has a “%” that is not followed by two hexadecimal digits.');
  const scheme = HAS_SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ssh') {
    return refuse('is not an http, https or ssh URL.');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('is not a valid URL.');
  }
  if (!parsed.hostname) return refuse('has no host.');
  if (parsed.password) return refuse('contains a password.');
  if (scheme !== 'ssh' && parsed.username) return refuse('contains a user name.');
  return { ok: true, url };
}

/** The server's web address for clients that take one (Sourcetree): http(s), no user info. */
function checkServerBaseUrl(base: string): CloneUrlCheck {
  const url = stripUserInfo(base.trim()).replace(/\/+$/, '');
  const checked = checkCloneUrl(url);
  if (!checked.ok || !/^https?:/i.test(url)) {
    return { ok: false, message: 'The server address is not a plain http or https URL.' };
  }
  return checked;
}

export function findGitClient(id: string): GitClient | undefined {
  return GIT_CLIENTS.find((client) => client.id === id);
}

export interface ClientUrlInput {
  cloneUrl: string;
  /** The Bitbucket server's base URL (Sourcetree shows the repository's web page from it). */
  serverBaseUrl?: string;
}

/** The URL that opens `clientId` on the repository, or the sentence saying why there is none. */
export function buildClientUrl(clientId: string, input: ClientUrlInput): ClientUrl {
  const client = findGitClient(clientId);
  if (!client) return { ok: false, message: 'That Git client is not one this extension knows.' };
  const checked = checkCloneUrl(stripUserInfo(input.cloneUrl));
  if (!checked.ok) return checked;
  const cloneUrl = checked.url;

  let url: string;
  switch (client.group) {
    case 'vscode':
      // The handler reads the query with Node's querystring: "+" would become a space unencoded.
      url = `${client.scheme}://vscode.git/clone?url=${encodeURIComponent(cloneUrl)}`;
      break;
    case 'jetbrains': {
      // Built as JetBrains' own extension builds it: URLSearchParams, in this order.
      const params = new URLSearchParams();
      params.set('checkout.repo', cloneUrl);
      params.set('idea.required.plugins.id', 'Git4Idea');
      url = `jetbrains://${encodeURIComponent(client.toolTag ?? '')}/checkout/git?${params.toString()}`;
      break;
    }
    default:
      if (client.id === 'sourcetree') {
        const base = checkServerBaseUrl(input.serverBaseUrl ?? '');
        if (!base.ok) return { ok: false, message: `${base.message} Sourcetree needs it.` };
        url = `sourcetree://cloneRepo?type=stash&cloneUrl=${encodeURIComponent(cloneUrl)}&baseWebUrl=${encodeURIComponent(base.url)}`;
      } else {
        // GitHub Desktop and Tower take the URL as the path, unencoded: it was checked to have
        // no "?", "#" or space that would cut it.
        url = `${client.scheme}://openRepo/${cloneUrl}`;
      }
  }
  return launchable(url, client);
}

function launchable(url: string, client: GitClient): ClientUrl {
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(url)?.[1];
  if (!scheme || scheme !== client.scheme || !LAUNCH_SCHEMES.has(scheme) || /[\s\p{Cc}]/u.test(url)) {
    return { ok: false, message: `Opening ${client.label} from here is not allowed.` };
  }
  return { ok: true, url };
}

/** Characters a POSIX shell word may hold unquoted (no "~": zsh's extended globbing uses it). */
const SHELL_PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `text` as one POSIX shell word: as it is when nothing in it is special, else in single quotes. */
export function shellQuote(text: string): string {
  if (SHELL_PLAIN.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A directory name for `git clone <url> <directory>`: not empty, no "-" first, no control character. */
function checkDirectory(directory: string): { ok: true; directory: string } | Refusal {
  if (directory.length === 0) return { ok: false, message: 'The folder name is empty.' };
  if (directory.startsWith('-')) {
    return { ok: false, message: 'The folder name starts with "-", which git would read as an option.' };
  }
  if (CONTROL.test(directory) || INVISIBLE.test(directory)) {
    return { ok: false, message: 'The folder name contains a control or invisible character.' };
  }
  if (directory.length > 255) return { ok: false, message: 'The folder name is too long.' };
  return { ok: true, directory };
}

/**
 * `git clone <url> [<directory>]`, each part quoted for a POSIX shell when it needs it (bash, zsh,
 * Git Bash; PowerShell reads single quotes alike). No "--" before the URL: a URL starting with "-"
 * is refused instead, and the command reads as people type it.
 */
export function gitCloneCommand(cloneUrl: string, directory?: string): Command {
  const checked = checkCloneUrl(stripUserInfo(cloneUrl));
  if (!checked.ok) return checked;
  let command = `git clone ${shellQuote(checked.url)}`;
  if (directory !== undefined) {
    const dir = checkDirectory(directory);
    if (!dir.ok) return dir;
    command += ` ${shellQuote(dir.directory)}`;
  }
  return { ok: true, command };
}
