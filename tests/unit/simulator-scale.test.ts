import { describe, expect, it } from 'vitest';
import { Model, SEED_TOKENS, seed, startSimulator } from '../../simulator/index';
import { slugify } from '../../simulator/model';

interface Page {
  size: number;
  limit: number;
  isLastPage: boolean;
  nextPageStart?: number;
  values: Array<{ id: number; slug: string; name: string; archived: boolean; project: { key: string } }>;
}

const GENERATED = 'Generated repositories.';

describe('simulator at scale', () => {
  it('starts with 20000 extra repositories and pages through them 1000 at a time', async () => {
    const sim = await startSimulator({ strict: true, repos: 20000 });
    try {
      const ids: number[] = [];
      let archived = 0;
      let start = 0;
      let requests = 0;
      for (;;) {
        // archived=ALL: by default the list leaves archived repositories out, as the real server does.
        const res = await fetch(`${sim.url}/rest/api/1.0/repos?limit=5000&archived=ALL&start=${start}`, {
          headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
        });
        expect(res.status).toBe(200);
        const page = (await res.json()) as Page;
        requests++;
        expect(page.limit).toBe(1000);
        ids.push(...page.values.map((r) => r.id));
        archived += page.values.filter((r) => r.archived).length;
        if (page.isLastPage) break;
        expect(page.size).toBe(1000);
        start = page.nextPageStart!;
      }
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThanOrEqual(20000);
      expect(requests).toBe(Math.ceil(ids.length / 1000));
      expect(archived).toBeGreaterThan(400);
      const active = await fetch(`${sim.url}/rest/api/1.0/repos?limit=1000&start=${ids.length - 1500}`, {
        headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
      });
      expect(((await active.json()) as Page).values.every((r) => !r.archived)).toBe(true);
      expect(sim.violations).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 30_000);

  it('generates 100000 realistic, deterministic repositories quickly', () => {
    const started = performance.now();
    const model = new Model(seed);
    model.addScaleRepos(100_000);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(4000);

    const generated = model.repos.filter((r) => r.project.description === GENERATED);
    expect(generated).toHaveLength(100_000);
    const projects = [...new Set(generated.map((r) => r.project))];
    // Realistic keys and names; the seeded SEC is kept and not reused.
    expect(projects.slice(0, 3).map((p) => [p.key, p.name])).toEqual([
      ['PLAT', 'Platform Engineering'],
      ['PAY', 'Payments'],
      ['INFRA', 'Infrastructure'],
    ]);
    expect(model.project('SEC')?.name).toBe('Security');
    for (const p of projects) expect(p.key).toMatch(/^[A-Z][A-Z0-9]+$/);
    expect(new Set(projects.map((p) => p.key)).size).toBe(projects.length);

    // Unique slugs per project, each the slug of its name.
    for (const p of projects) {
      const slugs = p.repos.map((r) => r.slug);
      expect(new Set(slugs).size, p.key).toBe(slugs.length);
    }
    for (const r of generated.slice(0, 5000)) expect(r.slug).toBe(slugify(r.name));

    const share = (test: (r: (typeof generated)[number]) => boolean) =>
      generated.filter(test).length / generated.length;
    expect(share((r) => / /.test(r.name) && /[A-Z]/.test(r.name))).toBeGreaterThan(0.2);
    expect(share((r) => r.name === r.slug && r.name.includes('-'))).toBeGreaterThan(0.3);
    expect(share((r) => r.archived)).toBeGreaterThan(0.02);
    expect(share((r) => r.origin !== undefined)).toBeGreaterThan(0.02);
    expect(generated.some((r) => r.origin?.origin !== undefined)).toBe(true);
    for (const r of generated.filter((f) => f.origin).slice(0, 200)) {
      expect(r.hierarchyId).toBe(r.origin?.hierarchyId);
      expect(r.project).not.toBe(r.origin?.project);
    }
    expect(share((r) => r.cloneLinks.join() === 'http,ssh')).toBeGreaterThan(0.7);
    expect(share((r) => r.cloneLinks.join() === 'ssh,http')).toBeGreaterThan(0.05);
    expect(share((r) => r.cloneLinks.length === 1)).toBeGreaterThan(0.01);
    expect(share((r) => r.cloneLinks.length === 0)).toBeGreaterThan(0.005);
    expect(share((r) => r.cloneUser)).toBeGreaterThan(0.1);
    const words = generated.map((r) => r.slug).join(' ');
    for (const word of ['service', 'api', 'payments', 'terraform', 'helm', 'ios', 'android']) {
      expect(words).toContain(word);
    }

    const again = new Model(seed);
    again.addScaleRepos(100_000);
    expect(again.repos.map((r) => `${r.project.key}/${r.slug}`)).toEqual(
      model.repos.map((r) => `${r.project.key}/${r.slug}`),
    );
    const other = new Model(seed);
    other.addScaleRepos(100, 7);
    expect(other.repos.at(-1)?.slug).not.toBe(model.repos[model.repos.length - 100_000 + 99]?.slug);
  }, 30_000);
});
