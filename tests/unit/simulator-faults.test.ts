import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ strict: true, contextPath: '/bitbucket' });
});
afterEach(() => sim.faults.clear());
afterAll(async () => {
  await sim.close();
  expect(sim.violations).toEqual([]);
});

const auth = { authorization: `Bearer ${SEED_TOKENS.aliceRead}` };
const get = (path: string, init: RequestInit = {}) =>
  fetch(`${sim.url}${path}`, { redirect: 'manual', ...init, headers: { ...auth, ...init.headers } });

describe('simulator faults', () => {
  it('adds latency, then answers normally', async () => {
    // Only the faulted path waits: a request to another path overtakes the delayed one.
    sim.faults.set('/rest/api/1.0/users', { latencyMs: 1500 });
    const order: string[] = [];
    const started = Date.now();
    const slow = get('/rest/api/1.0/users/alice').then((r) => {
      order.push('users');
      return r;
    });
    await get('/rest/api/1.0/application-properties').then(() => order.push('properties'));
    const res = await slow;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(res.status).toBe(200);
    expect(order).toEqual(['properties', 'users']);
  });

  it('answers 500 and 503 with error JSON, 502 with a proxy page', async () => {
    sim.faults.set('/rest/api/1.0/users', { status: 503 });
    const unavailable = await get('/rest/api/1.0/users/alice');
    expect(unavailable.status).toBe(503);
    expect(((await unavailable.json()) as { errors: Array<{ message: string }> }).errors[0]?.message).toMatch(
      /unavailable/,
    );
    sim.faults.set('/rest/api/1.0/users', { status: 500 });
    expect((await get('/rest/api/1.0/users/alice')).status).toBe(500);
    sim.faults.set('/rest/api/1.0/users', { status: 502 });
    const gateway = await get('/rest/api/1.0/users/alice');
    expect(gateway.status).toBe(502);
    expect(gateway.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await gateway.text()).toContain('502 Bad Gateway');
    // Other paths are unaffected.
    expect((await get('/rest/api/1.0/projects')).status).toBe(200);
  });

  it('rate-limits with 429 and Retry-After for a number of times', async () => {
    sim.faults.set('/rest', { status: 429, retryAfterSeconds: 7, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await get('/rest/api/1.0/repos');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      await res.arrayBuffer();
    }
    expect((await get('/rest/api/1.0/repos')).status).toBe(200);
    expect(sim.faults.list()).toEqual([]);
  });

  it('redirects to a single sign-on page on the same origin, which shows a login form that works', async () => {
    sim.faults.set('/rest', { ssoRedirect: true });
    const res = await get('/rest/api/1.0/users/alice?avatarSize=48');
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    expect(location).toBe(
      `${sim.url}/plugins/servlet/samlsso?redirectTo=${encodeURIComponent('/rest/api/1.0/users/alice?avatarSize=48')}`,
    );
    const sso = await fetch(location, { redirect: 'manual' });
    expect(sso.status).toBe(200);
    expect(sso.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await sso.text();
    expect(page).toContain('<form method="post"');
    expect(page).not.toContain('application-name');
    const login = await fetch(`${sim.url}/plugins/servlet/samlsso`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: 'alice', redirectTo: '/dashboard' }),
    });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe(`${sim.url}/dashboard`);
    expect(login.headers.get('set-cookie')).toMatch(/^BITBUCKETSESSIONID=/);
  });

  it('a "*" single sign-on fault still lets the sign-on page load', async () => {
    sim.faults.set('*', { ssoRedirect: true });
    expect((await get('/projects')).status).toBe(302);
    expect((await fetch(`${sim.url}/plugins/servlet/samlsso?redirectTo=%2Fprojects`)).status).toBe(200);
  });

  it('redirects to the same address on https:// (another origin)', async () => {
    sim.faults.set('/rest', { httpsRedirect: true });
    const res = await get('/rest/api/1.0/users/alice?avatarSize=48');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      `${sim.url.replace(/^http:/, 'https:')}/rest/api/1.0/users/alice?avatarSize=48`,
    );
    expect(new URL(res.headers.get('location') ?? '').origin).not.toBe(sim.origin);
  });

  it('pads a JSON field to a huge answer: of the object, or of every item of a page', async () => {
    sim.faults.set('/rest/api/1.0/users/alice', { pad: 'displayName', length: 100_000 });
    const user = (await (await get('/rest/api/1.0/users/alice')).json()) as Record<string, string>;
    expect(user.displayName).toHaveLength(100_000);
    expect(user.displayName!.startsWith('Alice Ångström')).toBe(true);
    expect(user.name).toBe('alice');

    sim.faults.set('/rest/api/1.0/repos', { pad: 'name', length: 5_000, times: 1 });
    const page = (await (await get('/rest/api/1.0/repos?limit=3')).json()) as {
      values: Array<{ name: string; slug: string }>;
    };
    expect(page.values).toHaveLength(3);
    for (const repo of page.values) {
      expect(repo.name).toHaveLength(5_000);
      expect(repo.slug.length).toBeLessThan(100);
    }
    const again = (await (await get('/rest/api/1.0/repos?limit=3')).json()) as {
      values: Array<{ name: string }>;
    };
    expect(again.values.every((repo) => repo.name.length < 100)).toBe(true);
  });

  it('answers HTML (a login page) with 200 instead of JSON', async () => {
    sim.faults.set('/rest/api/latest/application-properties', { html: true });
    const res = await get('/rest/api/1.0/application-properties');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await res.text();
    expect(text).toContain('j_atl_security_check');
    expect(() => JSON.parse(text)).toThrow();
  });

  it('drops the connection', async () => {
    sim.faults.set('/rest/api/1.0/users/alice', { dropConnection: true, times: 1 });
    await expect(get('/rest/api/1.0/users/alice')).rejects.toThrow();
    expect((await get('/rest/api/1.0/users/alice')).status).toBe(200);
  });

  it('prefers the longest matching prefix over "*", and clears one prefix or all', async () => {
    sim.faults.set('*', { status: 503 });
    sim.faults.set('/rest/api/1.0/users', { status: 500 });
    expect((await get('/rest/api/1.0/users/bob')).status).toBe(500);
    expect((await get('/rest/api/1.0/projects')).status).toBe(503);
    expect((await get('/login')).status).toBe(503);
    sim.faults.clear('*');
    expect((await get('/rest/api/1.0/projects')).status).toBe(200);
    expect((await get('/rest/api/1.0/users/bob')).status).toBe(500);
    sim.faults.clear();
    expect((await get('/rest/api/1.0/users/bob')).status).toBe(200);
  });

  it('a connection to a closed simulator is refused', async () => {
    const other = await startSimulator({});
    const url = other.url;
    await other.close();
    await expect(fetch(`${url}/rest/api/1.0/application-properties`)).rejects.toThrow();
  });
});
