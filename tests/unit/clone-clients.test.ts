import { parse as parseQuery } from 'node:querystring';
import { parse as legacyParse } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildClientUrl,
  checkCloneUrl,
  GIT_CLIENTS,
  gitCloneCommand,
  isSafeCloneUrl,
  shellQuote,
  stripUserInfo,
} from '../../lib/features/clone/clients';

// A personal project ("~"), a context path, and "+" and an escaped "%" in the slug.
const HTTPS = 'https://bb.example.com/bitbucket/scm/~bob/a+b%25c.git';
const SSH = 'ssh://git@bb.example.com:7999/~bob/a+b%25c.git';
const SERVER = 'https://bb.example.com/bitbucket';

const url = (clientId: string, cloneUrl: string, serverBaseUrl = SERVER) => {
  const built = buildClientUrl(clientId, { cloneUrl, serverBaseUrl });
  if (!built.ok) throw new Error(built.message);
  return built.url;
};

describe('the clients table', () => {
  it('has unique ids, a source for each, and no GitKraken', () => {
    const ids = GIT_CLIENTS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const client of GIT_CLIENTS) expect(client.source.length).toBeGreaterThan(10);
    expect(ids.some((id) => id.includes('kraken'))).toBe(false);
  });

  it("uses JetBrains Toolbox's tool tags", () => {
    expect(GIT_CLIENTS.filter((c) => c.group === 'jetbrains').map((c) => c.toolTag)).toEqual([
      'idea',
      'pycharm',
      'php-storm',
      'web-storm',
      'rd',
      'goland',
      'clion',
      'rubymine',
      'rustrover',
    ]);
  });
});

describe('URLs per client', () => {
  it('VS Code and its relatives: <scheme>://vscode.git/clone?url=<encoded>', () => {
    expect(url('vscode', HTTPS)).toBe(
      'vscode://vscode.git/clone?url=https%3A%2F%2Fbb.example.com%2Fbitbucket%2Fscm%2F~bob%2Fa%2Bb%2525c.git',
    );
    expect(url('vscode', SSH)).toBe(
      'vscode://vscode.git/clone?url=ssh%3A%2F%2Fgit%40bb.example.com%3A7999%2F~bob%2Fa%2Bb%2525c.git',
    );
    expect(url('vscode-insiders', SSH)).toBe(
      'vscode-insiders://vscode.git/clone?url=ssh%3A%2F%2Fgit%40bb.example.com%3A7999%2F~bob%2Fa%2Bb%2525c.git',
    );
    expect(url('vscodium', HTTPS)).toMatch(/^vscodium:\/\/vscode\.git\/clone\?url=https%3A%2F%2F/);
    expect(url('cursor', HTTPS)).toMatch(/^cursor:\/\/vscode\.git\/clone\?url=https%3A%2F%2F/);
  });

  it('VS Code reads back exactly the clone URL (its handler parses the query with querystring)', () => {
    for (const clone of [HTTPS, SSH]) {
      const query = url('vscode', clone).split('?')[1]!;
      expect(parseQuery(query).url).toBe(clone);
    }
  });

  it('JetBrains: jetbrains://<tag>/checkout/git?checkout.repo=<encoded>&idea.required.plugins.id=Git4Idea', () => {
    expect(url('intellij-idea', HTTPS)).toBe(
      'jetbrains://idea/checkout/git?checkout.repo=https%3A%2F%2Fbb.example.com%2Fbitbucket%2Fscm%2F%7Ebob%2Fa%2Bb%2525c.git&idea.required.plugins.id=Git4Idea',
    );
    expect(url('rider', SSH)).toBe(
      'jetbrains://rd/checkout/git?checkout.repo=ssh%3A%2F%2Fgit%40bb.example.com%3A7999%2F%7Ebob%2Fa%2Bb%2525c.git&idea.required.plugins.id=Git4Idea',
    );
    expect(url('phpstorm', SSH)).toMatch(/^jetbrains:\/\/php-storm\/checkout\/git\?checkout\.repo=ssh%3A/);
    expect(url('webstorm', SSH)).toMatch(/^jetbrains:\/\/web-storm\//);
    expect(new URL(url('goland', SSH)).searchParams.get('checkout.repo')).toBe(SSH);
  });

  it('GitHub Desktop: x-github-client://openRepo/<url>, read back as the path', () => {
    expect(url('github-desktop', HTTPS)).toBe(`x-github-client://openRepo/${HTTPS}`);
    expect(url('github-desktop', SSH)).toBe(`x-github-client://openRepo/${SSH}`);
    for (const clone of [HTTPS, SSH]) {
      // As GitHub Desktop parses it: host "openrepo", the URL is the path without its "/".
      const parsed = legacyParse(url('github-desktop', clone), true);
      expect(parsed.hostname).toBe('openrepo');
      expect(parsed.pathname?.slice(1)).toBe(clone);
    }
  });

  it('Tower: gittower://openRepo/<url>', () => {
    expect(url('tower', HTTPS)).toBe(`gittower://openRepo/${HTTPS}`);
    expect(url('tower', SSH)).toBe(`gittower://openRepo/${SSH}`);
  });

  it('Sourcetree: sourcetree://cloneRepo?type=stash&cloneUrl=<encoded>&baseWebUrl=<encoded server>', () => {
    expect(url('sourcetree', HTTPS)).toBe(
      'sourcetree://cloneRepo?type=stash&cloneUrl=https%3A%2F%2Fbb.example.com%2Fbitbucket%2Fscm%2F~bob%2Fa%2Bb%2525c.git&baseWebUrl=https%3A%2F%2Fbb.example.com%2Fbitbucket',
    );
    expect(url('sourcetree', SSH, 'https://bb.example.com/bitbucket/')).toBe(
      'sourcetree://cloneRepo?type=stash&cloneUrl=ssh%3A%2F%2Fgit%40bb.example.com%3A7999%2F~bob%2Fa%2Bb%2525c.git&baseWebUrl=https%3A%2F%2Fbb.example.com%2Fbitbucket',
    );
  });

  it('Sourcetree needs a plain server address', () => {
    for (const serverBaseUrl of [undefined, '', 'ssh://bb.example.com', 'https://bb.example.com/a b']) {
      const built = buildClientUrl('sourcetree', {
        cloneUrl: HTTPS,
        ...(serverBaseUrl === undefined ? {} : { serverBaseUrl }),
      });
      expect(built).toEqual({
        ok: false,
        message: 'The server address is not a plain http or https URL. Sourcetree needs it.',
      });
    }
    expect(url('sourcetree', HTTPS, 'https://alice:secret@bb.example.com')).not.toContain('secret');
  });

  it('every client and both protocols give an allow-listed scheme and no user info of an http URL', () => {
    for (const client of GIT_CLIENTS) {
      const built = url(client.id, 'https://alice:t0ken@bb.example.com/scm/plat/api.git');
      expect(built.startsWith(`${client.scheme}://`)).toBe(true);
      expect(built).not.toContain('alice');
      expect(built).not.toContain('t0ken');
      expect(url(client.id, SSH)).toContain('git');
    }
  });

  it('refuses an unknown client', () => {
    expect(buildClientUrl('gitkraken', { cloneUrl: HTTPS })).toEqual({
      ok: false,
      message: 'That Git client is not one this extension knows.',
    });
  });
});

describe('which clone URLs are refused', () => {
  it.each([
    ['', 'There is no clone URL.'],
    ['-uhttps://bb.example.com/x.git', 'This clone URL starts with "-", which git would read as an option.'],
    [
      'ext::sh -c touch% /tmp/pwned',
      'This clone URL uses git’s “transport::address” form (such as ext::), which can run commands.',
    ],
    [
      'EXT::sh',
      'This clone URL uses git’s “transport::address” form (such as ext::), which can run commands.',
    ],
    [
      'fd::17',
      'This clone URL uses git’s “transport::address” form (such as ext::), which can run commands.',
    ],
    [
      'https://bb.example.com/ext::x.git',
      'This clone URL uses git’s “transport::address” form (such as ext::), which can run commands.',
    ],
    ['https://bb.example.com/scm/a b.git', 'This clone URL contains a space.'],
    ['https://bb.example.com/scm/a\u00a0b.git', 'This clone URL contains a space.'],
    [
      'https://bb.example.com/scm/ab.git\n',
      'This clone URL contains a control character (such as a line break or tab).',
    ],
    [
      'https://bb.example.com/scm/a\tb.git',
      'This clone URL contains a control character (such as a line break or tab).',
    ],
    [
      'https://bb.example.com/scm/a\u0000b.git',
      'This clone URL contains a control character (such as a line break or tab).',
    ],
    ['https://bb.example.com/scm/a\u200bb.git', 'This clone URL contains an invisible character.'],
    ['https://bb.example.com/scm/a\u202eb.git', 'This clone URL contains an invisible character.'],
    [
      'https://bb.example.com/scm/a#b.git',
      'This clone URL has a query or fragment (“?” or “#”), which no clone URL has.',
    ],
    [
      'https://bb.example.com/scm/ab.git?x=1',
      'This clone URL has a query or fragment (“?” or “#”), which no clone URL has.',
    ],
    [
      'https://bb.example.com/scm/a"b.git',
      'This clone URL contains characters a URL cannot hold as they are.',
    ],
    [
      'https://bb.example.com/scm/a\\b.git',
      'This clone URL contains characters a URL cannot hold as they are.',
    ],
    ['https://bücher.example/scm/x.git', 'This clone URL contains characters a URL cannot hold as they are.'],
    [
      'https://bb.example.com/scm/a%zzb.git',
      'This clone URL has a “%” that is not followed by two hexadecimal digits.',
    ],
    ['file:///etc/passwd', 'This clone URL is not an http, https or ssh URL.'],
    ['git://bb.example.com/x.git', 'This clone URL is not an http, https or ssh URL.'],
    ['https:bb.example.com/x.git', 'This clone URL is not an http, https or ssh URL.'],
    ['git@bb.example.com:plat/x.git', 'This clone URL is not an http, https or ssh URL.'],
    ['https://alice@bb.example.com/x.git', 'This clone URL contains a user name.'],
    ['https://:secret@bb.example.com/x.git', 'This clone URL contains a password.'],
    ['ssh://git:secret@bb.example.com/x.git', 'This clone URL contains a password.'],
    ['https://bb.example.com:99999/x.git', 'This clone URL is not a valid URL.'],
    [`https://bb.example.com/${'x'.repeat(2000)}`, 'This clone URL is too long (over 2,000 characters).'],
  ])('%j', (input, message) => {
    expect(checkCloneUrl(input)).toEqual({ ok: false, message });
    expect(isSafeCloneUrl(input)).toBe(false);
  });

  it.each([
    HTTPS,
    SSH,
    'http://bb.internal:7990/scm/plat/api.git',
    'HTTPS://BB.EXAMPLE.COM/scm/PLAT/api.git',
    'ssh://git@[2001:db8::1]:7999/plat/api.git',
    "https://bb.example.com/scm/plat/it's-(ok)!.git",
  ])('accepts %s', (input) => {
    expect(checkCloneUrl(input)).toEqual({ ok: true, url: input });
  });

  it('no client URL is built from a refused clone URL, and the message says why', () => {
    for (const client of GIT_CLIENTS) {
      expect(buildClientUrl(client.id, { cloneUrl: 'ext::sh -c id', serverBaseUrl: SERVER }).ok).toBe(false);
      expect(
        buildClientUrl(client.id, { cloneUrl: '--upload-pack=touch /tmp/x', serverBaseUrl: SERVER }),
      ).toEqual({
        ok: false,
        message: 'This clone URL starts with "-", which git would read as an option.',
      });
    }
  });
});

describe('user info', () => {
  it.each([
    ['https://alice@bb.example.com/scm/x.git', 'https://bb.example.com/scm/x.git'],
    ['https://alice:t0ken@bb.example.com/scm/x.git', 'https://bb.example.com/scm/x.git'],
    ['HTTP://alice:p@ss@bb.example.com:7990/x.git', 'HTTP://bb.example.com:7990/x.git'],
    ['https://bb.example.com/scm/x@y.git', 'https://bb.example.com/scm/x@y.git'],
    ['ssh://git@bb.example.com:7999/x.git', 'ssh://git@bb.example.com:7999/x.git'],
    ['ssh://git:secret@bb.example.com:7999/x.git', 'ssh://git@bb.example.com:7999/x.git'],
    ['ssh://:secret@bb.example.com/x.git', 'ssh://bb.example.com/x.git'],
    ['not a url', 'not a url'],
  ])('%s → %s', (input, output) => {
    expect(stripUserInfo(input)).toBe(output);
  });
});

describe('the clone command', () => {
  it('is `git clone <url>`, unquoted when nothing needs quoting', () => {
    expect(gitCloneCommand('https://bb.example.com/scm/plat/api.git')).toEqual({
      ok: true,
      command: 'git clone https://bb.example.com/scm/plat/api.git',
    });
    expect(gitCloneCommand('ssh://git@bb.example.com:7999/plat/api.git')).toEqual({
      ok: true,
      command: 'git clone ssh://git@bb.example.com:7999/plat/api.git',
    });
  });

  it('quotes what a shell would expand or split', () => {
    expect(gitCloneCommand(HTTPS)).toEqual({ ok: true, command: `git clone '${HTTPS}'` });
    expect(gitCloneCommand('https://bb.example.com/scm/plat/a$(id)b.git')).toEqual({
      ok: true,
      command: "git clone 'https://bb.example.com/scm/plat/a$(id)b.git'",
    });
    expect(gitCloneCommand("https://bb.example.com/scm/plat/it's.git")).toEqual({
      ok: true,
      command: "git clone 'https://bb.example.com/scm/plat/it'\\''s.git'",
    });
  });

  it('never carries user info of an http URL', () => {
    expect(gitCloneCommand('https://alice:t0ken@bb.example.com/scm/plat/api.git')).toEqual({
      ok: true,
      command: 'git clone https://bb.example.com/scm/plat/api.git',
    });
  });

  it('adds a folder, quoted when needed, and refuses one git would take for an option', () => {
    const clone = 'https://bb.example.com/scm/plat/api.git';
    expect(gitCloneCommand(clone, 'api')).toEqual({ ok: true, command: `git clone ${clone} api` });
    expect(gitCloneCommand(clone, 'my api')).toEqual({ ok: true, command: `git clone ${clone} 'my api'` });
    expect(gitCloneCommand(clone, "bob's")).toEqual({ ok: true, command: `git clone ${clone} 'bob'\\''s'` });
    expect(gitCloneCommand(clone, '-rf')).toEqual({
      ok: false,
      message: 'The folder name starts with "-", which git would read as an option.',
    });
    expect(gitCloneCommand(clone, 'a\nb').ok).toBe(false);
    expect(gitCloneCommand(clone, '').ok).toBe(false);
  });

  it('refuses what checkCloneUrl refuses', () => {
    expect(gitCloneCommand('ext::sh -c id').ok).toBe(false);
    expect(gitCloneCommand('-u x').ok).toBe(false);
  });
});

describe('shell quoting', () => {
  it.each([
    ['plain', 'plain'],
    ['', "''"],
    ['~bob', "'~bob'"],
    ['a b', "'a b'"],
    ["'", "''\\'''"],
    ['$HOME', "'$HOME'"],
    ['*', "'*'"],
  ])('%j → %s', (input, output) => {
    expect(shellQuote(input)).toBe(output);
  });
});
