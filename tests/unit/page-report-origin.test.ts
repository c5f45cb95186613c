import { describe, expect, it } from 'vitest';
import { reportFitsSender } from '../../lib/background/page-contexts';

const SENDER = 'http://127.0.0.1:7990';

describe('a page report', () => {
  it('is accepted for a page of the sender’s own origin, with or without a context path', () => {
    expect(reportFitsSender({ kind: 'dashboard', baseUrl: SENDER }, SENDER)).toBe(true);
    expect(
      reportFitsSender({ kind: 'project', baseUrl: `${SENDER}/bitbucket`, projectKey: 'P' }, SENDER),
    ).toBe(true);
  });

  it('is refused when it names another server, port or scheme', () => {
    for (const baseUrl of [
      'https://git.example.com',
      'http://127.0.0.1:7991',
      'https://127.0.0.1:7990',
      'http://localhost:7990',
      // Userinfo that looks like the sender's host.
      'http://127.0.0.1:7990@evil.example',
    ]) {
      expect(reportFitsSender({ kind: 'dashboard', baseUrl }, SENDER), baseUrl).toBe(false);
    }
  });

  it('is refused when its base URL does not parse or has no origin of its own', () => {
    for (const baseUrl of ['', 'not a url', '/bitbucket', 'javascript:alert(1)//', 'data:text/html,x']) {
      expect(reportFitsSender({ kind: 'dashboard', baseUrl }, SENDER), baseUrl).toBe(false);
      expect(reportFitsSender({ kind: 'dashboard', baseUrl }, 'null'), baseUrl).toBe(false);
    }
  });
});
