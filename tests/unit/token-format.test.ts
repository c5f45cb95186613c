import { describe, expect, it } from 'vitest';
import { checkTokenFormat, looksLikeToken } from '../../lib/bitbucket/token-format';
import { SEED_TOKENS } from '../../simulator/seed';

describe('what a pasted token may look like', () => {
  it('accepts every seeded token, trimmed', () => {
    for (const token of Object.values(SEED_TOKENS)) {
      expect(checkTokenFormat(` ${token}\n`)).toEqual({ ok: true, token });
    }
  });

  it.each([
    ['', 'Paste an HTTP access token first.'],
    ['   ', 'Paste an HTTP access token first.'],
    [
      'abc\u200bdef',
      'That token contains an invisible character (such as a zero-width space): copy it again from the token page.',
    ],
    [
      'abc\ufeffdef',
      'That token contains an invisible character (such as a zero-width space): copy it again from the token page.',
    ],
    [
      'abc\ndef',
      'That token contains a control character (such as a line break or tab): copy it again from the token page.',
    ],
    [
      'abc\u0000def',
      'That token contains a control character (such as a line break or tab): copy it again from the token page.',
    ],
    ['abc def', 'That token contains spaces: copy it again from the token page.'],
    ['abc\u00a0def', 'That token contains spaces: copy it again from the token page.'],
    [
      'abc🙂def',
      'That token contains characters no Bitbucket token has (letters with accents, symbols or emoji): copy it again from the token page.',
    ],
    [
      'x'.repeat(1001),
      'The token is longer than any Bitbucket token (over 1,000 characters): copy it again from the token page.',
    ],
  ])('refuses %j with a sentence', (input, message) => {
    expect(checkTokenFormat(input)).toEqual({ ok: false, message });
  });
});

describe('a token pasted where the server address goes', () => {
  it('is recognised in every form it arrives in', () => {
    for (const token of Object.values(SEED_TOKENS)) {
      expect(looksLikeToken(token)).toBe(true);
      expect(looksLikeToken(`https://${token}`)).toBe(true);
      expect(looksLikeToken(`http://${token}/`)).toBe(true);
    }
    expect(looksLikeToken('BBDC-NjM2NTc3NTQ4OTQ3OkNyYQg1AbCdEfGh')).toBe(true);
  });

  it.each([
    'bitbucket',
    'https://bitbucket/',
    'git-server-01',
    'gitserver01/Bitbucket',
    'bitbucket.example.com',
    'https://git.example.com/bitbucket/projects/PROJ',
    '10.0.0.5:7990',
    'http://[::1]:7990',
    'http://[2001:db8::1]/bitbucket',
    'localhost:7990/bitbucket',
    'scm-bitbucket-production-eu',
  ])('leaves a real address alone: %s', (address) => {
    expect(looksLikeToken(address)).toBe(false);
  });
});
