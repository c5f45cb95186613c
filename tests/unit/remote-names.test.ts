import { describe, expect, it } from 'vitest';
import {
  allRemoteAddCommands,
  baseRemoteName,
  gitRemoteAddCommand,
  isValidRemoteName,
  type RemoteRepo,
  remoteEntries,
  sanitiseRemoteName,
} from '../../lib/features/remotes/remote-names';

const personal = (user: string, more: Partial<RemoteRepo['project']> = {}, slug = 'api'): RemoteRepo => ({
  slug,
  project: { key: `~${user.toUpperCase()}`, type: 'PERSONAL', ...more },
  cloneUrl: `ssh://git@bb.example.com:7999/~${user}/${slug}.git`,
});
const team = (key: string, slug = 'api'): RemoteRepo => ({
  slug,
  project: { key, type: 'NORMAL' },
  cloneUrl: `ssh://git@bb.example.com:7999/${key.toLowerCase()}/${slug}.git`,
});

describe('a fork’s name', () => {
  it('is the owner for a personal project: the owner’s slug when given, else the key without "~"', () => {
    expect(baseRemoteName(personal('bob'))).toBe('bob');
    expect(baseRemoteName(personal('bob', { owner: { slug: 'bob.smith', name: 'Bob Smith' } }))).toBe(
      'bob.smith',
    );
    expect(baseRemoteName({ slug: 'x', project: { key: '~ALICE' } })).toBe('alice'); // no type given
  });

  it('is the lower-cased project key otherwise', () => {
    expect(baseRemoteName(team('PLAT'))).toBe('plat');
    expect(baseRemoteName(team('TEAM_2'))).toBe('team_2');
  });

  it.each([
    ['Bob Smith', 'bob-smith'],
    ['søren', 'soren'],
    ['-rf', 'rf'],
    ['..hidden', 'hidden'],
    ['a..b', 'a.b'],
    ['name.', 'name'],
    ['x.lock', 'x-lock'],
    ['jdoe@example.com', 'jdoe-example.com'],
    ['a  /  b', 'a-b'],
    ['@@@', 'fork'],
    ['', 'fork'],
    ['x'.repeat(80), 'x'.repeat(60)],
  ])('sanitises %j → %j', (raw, name) => {
    expect(sanitiseRemoteName(raw)).toBe(name);
    expect(isValidRemoteName(sanitiseRemoteName(raw))).toBe(true);
  });
});

describe('valid remote names', () => {
  it.each(['origin', 'bob', 'team-2', 'a.b', 'a_b', 'A9'])('%s is valid', (name) => {
    expect(isValidRemoteName(name)).toBe(true);
  });
  it.each(['', '-x', '.x', 'a..b', 'a.', 'a.lock', 'a b', 'a/b', 'a:b', 'ä', 'a~b', 'a^b', 'a\nb'])(
    '%j is not',
    (name) => {
      expect(isValidRemoteName(name)).toBe(false);
    },
  );
});

describe('the list of remotes', () => {
  it('names the origin "upstream", forks by owner, never "origin"', () => {
    const list = remoteEntries({
      origin: team('PLAT'),
      forks: [personal('bob', { owner: { slug: 'bob', name: 'Bob Smith' } }), team('SEC')],
    });
    expect(list.entries).toEqual([
      {
        name: 'upstream',
        cloneUrl: 'ssh://git@bb.example.com:7999/plat/api.git',
        label: 'PLAT/api (upstream)',
        kind: 'upstream',
      },
      {
        name: 'bob',
        cloneUrl: 'ssh://git@bb.example.com:7999/~bob/api.git',
        label: '~BOB/api — Bob Smith',
        kind: 'fork',
      },
      { name: 'sec', cloneUrl: 'ssh://git@bb.example.com:7999/sec/api.git', label: 'SEC/api', kind: 'fork' },
    ]);
    expect(list.skipped).toEqual([]);
  });

  it('makes names unique with -2, -3 …, and keeps "origin" and "upstream" for their roles', () => {
    const names = remoteEntries({
      forks: [
        team('TEAM', 'a'),
        team('TEAM', 'b'),
        team('TEAM', 'c'),
        personal('origin'),
        personal('upstream'),
        team('TEAM-2', 'd'),
      ],
    }).entries.map((e) => e.name);
    expect(names).toEqual(['team', 'team-2', 'team-3', 'origin-2', 'upstream-2', 'team-2-2']);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(isValidRemoteName(name)).toBe(true);
  });

  it('leaves out a repository without a usable clone URL, saying why, and repeats of a URL', () => {
    const list = remoteEntries({
      forks: [
        { ...team('A'), cloneUrl: undefined },
        { ...team('B'), cloneUrl: 'ext::sh -c id' },
        team('C'),
        team('C'),
      ],
    });
    expect(list.entries.map((e) => e.name)).toEqual(['c']);
    expect(list.skipped).toEqual([
      { label: 'A/api', message: 'The server gives no clone URL for this repository.' },
      {
        label: 'B/api',
        message:
          'This clone URL uses git’s “transport::address” form (such as ext::), which can run commands.',
      },
    ]);
  });

  it('removes the user and password from http clone URLs', () => {
    const list = remoteEntries({
      forks: [{ ...team('A'), cloneUrl: 'https://alice:t0ken@bb.example.com/scm/a/api.git' }],
    });
    expect(list.entries[0]!.cloneUrl).toBe('https://bb.example.com/scm/a/api.git');
  });

  it('is empty for a repository with no forks and no origin', () => {
    expect(remoteEntries({ forks: [] })).toEqual({ entries: [], skipped: [] });
  });
});

describe('git remote add', () => {
  it('is one line per remote, the URL quoted when the shell needs it', () => {
    expect(gitRemoteAddCommand('bob', 'ssh://git@bb.example.com:7999/~bob/api.git')).toEqual({
      ok: true,
      command: "git remote add bob 'ssh://git@bb.example.com:7999/~bob/api.git'",
    });
    const { entries } = remoteEntries({ origin: team('PLAT'), forks: [team('SEC'), personal('bob')] });
    expect(allRemoteAddCommands(entries)).toEqual({
      ok: true,
      command: [
        'git remote add upstream ssh://git@bb.example.com:7999/plat/api.git',
        'git remote add sec ssh://git@bb.example.com:7999/sec/api.git',
        "git remote add bob 'ssh://git@bb.example.com:7999/~bob/api.git'",
      ].join('\n'),
    });
    expect(allRemoteAddCommands([])).toEqual({ ok: true, command: '' });
  });

  it('refuses a bad name or URL', () => {
    expect(gitRemoteAddCommand('-f', 'https://bb.example.com/scm/a/api.git')).toEqual({
      ok: false,
      message:
        '“-f” is not a remote name git takes: use letters, digits, ".", "_" and "-", not first "-" or ".".',
    });
    expect(gitRemoteAddCommand('a b', 'https://bb.example.com/scm/a/api.git').ok).toBe(false);
    expect(gitRemoteAddCommand('bob', '--upload-pack=x').ok).toBe(false);
    expect(
      allRemoteAddCommands([
        { name: 'ok', cloneUrl: 'https://bb.example.com/scm/a/api.git' },
        { name: 'bad', cloneUrl: 'https://bb.example.com/scm/a b.git' },
      ]),
    ).toEqual({ ok: false, message: 'This clone URL contains a space.' });
  });

  it('never carries the user info of an http URL', () => {
    expect(gitRemoteAddCommand('a', 'https://alice:t0ken@bb.example.com/scm/a/api.git')).toEqual({
      ok: true,
      command: 'git remote add a https://bb.example.com/scm/a/api.git',
    });
  });
});
