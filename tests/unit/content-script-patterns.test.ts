import { describe, expect, it } from 'vitest';
import { pagePatterns } from '../../lib/background/content-scripts';

describe('content script match patterns', () => {
  it('match only the page types the script handles, under the server’s context path and port', () => {
    expect(pagePatterns('http://127.0.0.1:7990/bitbucket')).toEqual([
      'http://127.0.0.1:7990/bitbucket/projects/*',
      'http://127.0.0.1:7990/bitbucket/users/*',
      'http://127.0.0.1:7990/bitbucket/dashboard*',
    ]);
  });
  it('leave the port out for Firefox, whose patterns cannot carry one', () => {
    expect(pagePatterns('https://git.example.com:8443', { firefox: true })).toEqual([
      'https://git.example.com/projects/*',
      'https://git.example.com/users/*',
      'https://git.example.com/dashboard*',
    ]);
  });
});
