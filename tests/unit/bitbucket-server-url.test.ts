import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReleaseTable } from '../../lib/bitbucket/generate-release-table';
import { RELEASE_LINES } from '../../lib/bitbucket/release-table';
import { normaliseServerUrl, originPattern, tokenPageUrl } from '../../lib/bitbucket/server-url';
import { versionSupport } from '../../lib/bitbucket/versions';

describe('server URL normalisation', () => {
  const cases: Array<[string, string]> = [
    ['bitbucket.example.com', 'https://bitbucket.example.com'],
    ['  https://Bitbucket.Example.com/  ', 'https://bitbucket.example.com'],
    ['http://127.0.0.1:7990', 'http://127.0.0.1:7990'],
    ['https://git.example.com/bitbucket', 'https://git.example.com/bitbucket'],
    [
      'https://git.example.com/bitbucket/projects/PROJ/repos/api/browse?at=main#L3',
      'https://git.example.com/bitbucket',
    ],
    ['https://git.example.com/users/alice/repos/dotfiles/browse', 'https://git.example.com'],
    ['https://git.example.com/stash/dashboard', 'https://git.example.com/stash'],
    ['https://git.example.com/plugins/servlet/access-tokens/manage', 'https://git.example.com'],
    ['https://git.example.com/scm/proj/api.git', 'https://git.example.com'],
    ['https://git.example.com/rest/api/1.0/repos', 'https://git.example.com'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => {
      const result = normaliseServerUrl(input);
      expect(result).toMatchObject({ ok: true, baseUrl: expected });
    });
  }

  it('keeps the context path separately and refuses what it cannot use', () => {
    expect(normaliseServerUrl('https://h/bb/projects')).toEqual({
      ok: true,
      baseUrl: 'https://h/bb',
      origin: 'https://h',
      contextPath: '/bb',
    });
    expect(normaliseServerUrl('')).toMatchObject({ ok: false, message: /Enter the address/ });
    expect(normaliseServerUrl('ftp://h')).toMatchObject({ ok: false, message: /https:\/\// });
    expect(normaliseServerUrl('https://user:pass@h')).toMatchObject({
      ok: false,
      message: /token identifies you/,
    });
    expect(normaliseServerUrl('http://exa mple.com')).toMatchObject({
      ok: false,
      message: /not a web address/,
    });
  });

  it('links to the token page, per user when the slug is known', () => {
    expect(tokenPageUrl('https://h/bb', 'alice')).toBe(
      'https://h/bb/plugins/servlet/access-tokens/users/alice/manage',
    );
    expect(tokenPageUrl('https://h/bb')).toBe('https://h/bb/plugins/servlet/access-tokens/manage');
  });

  it('builds host-permission patterns: with the port in Chrome, per host in Firefox', () => {
    expect(originPattern('http://127.0.0.1:7990/bb')).toBe('http://127.0.0.1:7990/*');
    expect(originPattern('http://127.0.0.1:7990/bb', { firefox: true })).toBe('http://127.0.0.1/*');
    expect(originPattern('https://git.example.com')).toBe('https://git.example.com/*');
  });
});

describe('supported versions (today = 2026-11-25)', () => {
  const today = new Date('2026-11-25T00:00:00Z');
  it.each(['8.19.29', '9.4.23', '10.0.2', '10.1.5', '10.4.2'])('%s is supported', (version) => {
    expect(versionSupport(version, today)).toEqual({
      status: 'supported',
      line: version.split('.').slice(0, 2).join('.'),
    });
  });
  it('a newer line than the table knows is assumed to work', () => {
    expect(versionSupport('11.0.0', today)).toEqual({ status: 'unknown-newer', line: '11.0' });
  });
  it('older lines get a warning naming the oldest supported line, not a refusal', () => {
    for (const version of ['8.18.0', '7.21.0', '9.3.5']) {
      const support = versionSupport(version, today);
      expect(support.status).toBe('old');
      expect(support.message).toContain(
        `Bitbucket ${version} is older than the versions this extension supports`,
      );
      expect(support.message).toContain('The oldest supported line is 8.19.');
    }
  });
  it('garbage is reported as such', () => {
    expect(versionSupport('banana', today).status).toBe('invalid');
  });
  it('8.19 drops out of support in the month a year after its last release', () => {
    expect(versionSupport('8.19.29', new Date('2027-03-31T00:00:00Z')).status).toBe('supported');
    expect(versionSupport('8.19.29', new Date('2027-04-01T00:00:00Z')).status).toBe('old');
  });
  it('the compiled release table matches the published release list', () => {
    const raw = JSON.parse(readFileSync('../shared/reference/bitbucket/releases.json', 'utf8'));
    expect(RELEASE_LINES).toEqual(buildReleaseTable(raw));
  });
});
