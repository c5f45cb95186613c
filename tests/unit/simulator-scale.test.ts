import { describe, expect, it } from 'vitest';
import { SEED_TOKENS, startSimulator } from '../../simulator/index';

interface Page {
  size: number;
  isLastPage: boolean;
  nextPageStart?: number;
  values: Array<{ id: number; project: { key: string } }>;
}

describe('simulator at scale', () => {
  it('starts with 20000 extra repositories and pages through them 1000 at a time', async () => {
    const sim = await startSimulator({ strict: true, repos: 20000 });
    try {
      const ids: number[] = [];
      let start = 0;
      let requests = 0;
      for (;;) {
        const res = await fetch(`${sim.url}/rest/api/1.0/repos?limit=1000&start=${start}`, {
          headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
        });
        expect(res.status).toBe(200);
        const page = (await res.json()) as Page;
        requests++;
        ids.push(...page.values.map((r) => r.id));
        if (page.isLastPage) break;
        expect(page.size).toBe(1000);
        start = page.nextPageStart!;
      }
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThanOrEqual(20000);
      expect(requests).toBe(Math.ceil(ids.length / 1000));
      expect(sim.violations).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 30_000);
});
