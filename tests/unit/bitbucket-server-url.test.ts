import { describe, expect, it } from 'vitest';
import { normaliseServerUrl, originPattern, tokenPageUrl } from '../../lib/bitbucket/server-url';

describe('server URL normalisation', () => {
  const cases: Array<[input: string, baseUrl: string, contextPath: string]> = [
    ['bitbucket.example.com', 'https://bitbucket.example.com', ''],
    ['  https://Bitbucket.Example.COM/  ', 'https://bitbucket.example.com', ''],
    ['http://127.0.0.1:7990', 'http://127.0.0.1:7990', ''],
    ['localhost:7990/bitbucket', 'https://localhost:7990/bitbucket', '/bitbucket'],
    ['https://git.example.com:443/', 'https://git.example.com', ''],
    ['https://git.example.com:8443/', 'https://git.example.com:8443', ''],
    ['https://git.example.com/bitbucket', 'https://git.example.com/bitbucket', '/bitbucket'],
    ['https://git.example.com/bitbucket/', 'https://git.example.com/bitbucket', '/bitbucket'],
    [
      'https://git.example.com/tools/bitbucket?x=1#top',
      'https://git.example.com/tools/bitbucket',
      '/tools/bitbucket',
    ],
    [
      'https://git.example.com/bitbucket/projects/PROJ/repos/api/browse?at=refs%2Fheads%2Fmain#L3',
      'https://git.example.com/bitbucket',
      '/bitbucket',
    ],
    [
      'https://git.example.com/projects/PROJ/repos/api/pull-requests/7/overview',
      'https://git.example.com',
      '',
    ],
    ['https://git.example.com/users/alice/repos/dotfiles/browse', 'https://git.example.com', ''],
    ['https://git.example.com/stash/dashboard', 'https://git.example.com/stash', '/stash'],
    ['https://git.example.com/login?next=/projects', 'https://git.example.com', ''],
    ['https://git.example.com/bb/repos?visibility=public', 'https://git.example.com/bb', '/bb'],
    ['https://git.example.com/account', 'https://git.example.com', ''],
    ['https://git.example.com/admin/users', 'https://git.example.com', ''],
    ['https://git.example.com/profile', 'https://git.example.com', ''],
    ['https://git.example.com/plugins/servlet/access-tokens/manage', 'https://git.example.com', ''],
    ['https://git.example.com/bb/plugins/servlet/ssh/account/keys/add', 'https://git.example.com/bb', '/bb'],
    ['https://git.example.com/scm/proj/api.git', 'https://git.example.com', ''],
    ['https://git.example.com/rest/api/1.0/repos', 'https://git.example.com', ''],
  ];
  it.each(cases)('%s → %s', (input, baseUrl, contextPath) => {
    const result = normaliseServerUrl(input);
    expect(result).toEqual({ ok: true, baseUrl, origin: new URL(baseUrl).origin, contextPath });
  });

  const refusals: Array<[input: string, message: RegExp]> = [
    ['', /Enter the address of your Bitbucket server/],
    ['   ', /Enter the address/],
    ['ftp://git.example.com', /must start with https:\/\//],
    ['ssh://git@git.example.com:7999/prj/repo.git', /That is a clone address/],
    ['https://jdoe:secret@git.example.com', /Leave the user name and password out/],
    ['https://jdoe@git.example.com', /Leave the user name and password out/],
    ['http://exa mple.com', /is not a web address/],
  ];
  it.each(refusals)('refuses %j', (input, message) => {
    const result = normaliseServerUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('never repeats a password in its message', () => {
    const result = normaliseServerUrl('https://jdoe:hunter2@git.example.com');
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('token page', () => {
  it('is per user when the slug is known, generic otherwise', () => {
    expect(tokenPageUrl('https://h/bb', 'alice')).toBe(
      'https://h/bb/plugins/servlet/access-tokens/users/alice/manage',
    );
    expect(tokenPageUrl('https://h/bb', 'j.doe@corp')).toBe(
      'https://h/bb/plugins/servlet/access-tokens/users/j.doe%40corp/manage',
    );
    expect(tokenPageUrl('https://h/bb')).toBe('https://h/bb/plugins/servlet/access-tokens/manage');
    expect(tokenPageUrl('https://h')).toBe('https://h/plugins/servlet/access-tokens/manage');
  });
});

describe('host-permission patterns', () => {
  it('carry the port in Chrome, only the host in Firefox', () => {
    expect(originPattern('http://127.0.0.1:7990/bb')).toBe('http://127.0.0.1:7990/*');
    expect(originPattern('http://127.0.0.1:7990/bb', { firefox: true })).toBe('http://127.0.0.1/*');
    expect(originPattern('https://git.example.com/bitbucket')).toBe('https://git.example.com/*');
    expect(originPattern('https://git.example.com', { firefox: true })).toBe('https://git.example.com/*');
  });
});

describe('server URL refusals added by hardening', () => {
  it('refuses a token pasted into the URL field, with or without a scheme', () => {
    for (const input of [
      'MTAwMDAwMDAwMTAxOobvReo/u2RlU4c1KNCJMbJCpfcn',
      'https://MTAwMDAwMDAwMTAxOobvReo/u2Rl',
    ]) {
      const result = normaliseServerUrl(input);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toMatch(/^This looks like a token, not a server address\./);
    }
  });

  it('keeps intranet names without a dot and IP literals valid', () => {
    expect(normaliseServerUrl('https://bitbucket/')).toMatchObject({
      ok: true,
      baseUrl: 'https://bitbucket',
    });
    expect(normaliseServerUrl('http://10.1.2.3:7990/')).toMatchObject({
      ok: true,
      baseUrl: 'http://10.1.2.3:7990',
    });
    expect(normaliseServerUrl('http://[::1]:7990/bitbucket')).toMatchObject({
      ok: true,
      baseUrl: 'http://[::1]:7990/bitbucket',
    });
  });

  it('refuses an address over 2,000 characters with a sentence', () => {
    const result = normaliseServerUrl(`https://git.example.com/${'a'.repeat(2000)}`);
    expect(result).toEqual({
      ok: false,
      message:
        'That server address is longer than any web address (over 2,000 characters): check what was pasted into the Server URL field.',
    });
  });

  it.each([
    'javascript:alert(1)//',
    'data:text/html,<b>x</b>',
    'chrome://extensions',
    'file:///etc/passwd',
    'https://u:p@git.example.com',
  ])('refuses %s', (input) => {
    expect(normaliseServerUrl(input).ok).toBe(false);
  });
});
