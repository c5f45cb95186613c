import { describe, expect, it } from 'vitest';
import {
  createSearchIndex,
  normaliseForSearch,
  type SearchEntry,
  type SearchHit,
} from '../../lib/features/clone/search';

let counter = 0;
function repo(slug: string, more: Partial<SearchEntry> = {}): SearchEntry {
  counter++;
  return {
    key: more.key ?? `p1:${slug}:${counter}`,
    projectKey: 'PLAT',
    projectName: 'Platform',
    name: slug,
    slug,
    ...more,
  };
}

const slugs = (hits: SearchHit[]) => hits.map((h) => h.entry.slug);
const find = (entries: SearchEntry[], query: string, options = {}) =>
  createSearchIndex(entries).search(query, options);

describe('normalising text for search', () => {
  it.each([
    ['Ångström-Tools', 'angstrom-tools'],
    ['Café', 'cafe'],
    ['Cafe\u0301', 'cafe'],
    ['Straße', 'strasse'],
    ['Søren Ærø', 'soren aero'],
    ['Łódź', 'lodz'],
    ['ÇA', 'ca'],
    ['plain-ascii', 'plain-ascii'],
  ])('%s → %s', (input, output) => {
    expect(normaliseForSearch(input)).toBe(output);
  });
});

describe('what matches', () => {
  it('is case-insensitive both ways', () => {
    const entries = [repo('Payments-API', { name: 'Payments API' })];
    expect(slugs(find(entries, 'payments'))).toEqual(['Payments-API']);
    expect(slugs(find(entries, 'PAYMENTS-api'))).toEqual(['Payments-API']);
  });

  it('is accent-insensitive both ways', () => {
    const entries = [repo('angstrom-tools', { name: 'Ångström-tools' }), repo('cafe', { name: 'Café' })];
    expect(slugs(find(entries, 'angstrom'))).toEqual(['angstrom-tools']);
    expect(slugs(find(entries, 'ÅNGSTRÖM'))).toEqual(['angstrom-tools']);
    expect(slugs(find(entries, 'café'))).toEqual(['cafe']);
  });

  it('finds a substring anywhere in key / project name / repo name / slug', () => {
    const entries = [
      repo('ledger', { projectKey: 'FIN', projectName: 'Finance Backoffice', name: 'General Ledger' }),
      repo('other', { projectKey: 'OPS', projectName: 'Operations', name: 'Other' }),
    ];
    expect(slugs(find(entries, 'fin'))).toEqual(['ledger']); // project key
    expect(slugs(find(entries, 'ckoff'))).toEqual(['ledger']); // project name
    expect(slugs(find(entries, 'eral'))).toEqual(['ledger']); // repo name
    expect(slugs(find(entries, 'dge'))).toEqual(['ledger']); // slug
    expect(find(entries, 'zzz')).toEqual([]);
  });

  it('needs every term: whitespace and "/" split the query (AND)', () => {
    const entries = [
      repo('api', { projectKey: 'PLAT' }),
      repo('api', { projectKey: 'PAY', projectName: 'Payments' }),
      repo('web', { projectKey: 'PLAT' }),
    ];
    const plat = (q: string) => find(entries, q).map((h) => `${h.entry.projectKey}/${h.entry.slug}`);
    expect(plat('plat api')).toEqual(['PLAT/api']);
    expect(plat('PLAT/api')).toEqual(['PLAT/api']);
    expect(plat('plat / api')).toEqual(['PLAT/api']);
    expect(plat('  api\tpay ')).toEqual(['PAY/api']);
    expect(plat('plat nope')).toEqual([]);
  });

  it('finds words by their first letters, in order ("pt", "ptools", "plto")', () => {
    const entries = [repo('platform-tools', { name: 'Platform Tools', projectKey: 'X', projectName: 'X' })];
    for (const q of ['pt', 'ptools', 'plto', 'platt', 'platformt', 'tools', 'ptoo']) {
      expect(
        find(entries, q).map((h) => [h.entry.slug, h.match]),
        q,
      ).toEqual([['platform-tools', 'word']]);
    }
    expect(find(entries, 'tp')).toEqual([]); // not in order
    expect(find(entries, 'pto0')).toEqual([]);
  });

  it('splits words at camelCase, digits and any punctuation', () => {
    const entries = [
      repo('webapp2', { name: 'WebApp2Server', projectKey: 'X', projectName: 'X' }),
      repo('http-server', { name: 'HTTPServer', projectKey: 'Y', projectName: 'Y' }),
      repo('a_b.c', { name: 'snake_case.dotted', projectKey: 'Z', projectName: 'Z' }),
    ];
    expect(slugs(find(entries, 'wa2s'))).toEqual(['webapp2']);
    expect(slugs(find(entries, 'a2s'))).toEqual(['webapp2']);
    expect(find(entries, 'was')).toEqual([]); // skips "2"
    expect(slugs(find(entries, 'hs'))).toEqual(['http-server']);
    expect(slugs(find(entries, 'scd'))).toEqual(['a_b.c']);
  });

  it('takes words in a row, within one field: no skipped word, no run across fields', () => {
    const entries = [repo('web-app-service', { projectKey: 'OPS', projectName: 'Operations' })];
    expect(slugs(find(entries, 'was'))).toEqual(['web-app-service']);
    expect(slugs(find(entries, 'as'))).toEqual(['web-app-service']); // a run may start at any word
    expect(find(entries, 'ws')).toEqual([]); // skips "app"
    expect(find(entries, 'ow')).toEqual([]); // "Operations" then "web": two fields
  });

  it('finds initials of accented words', () => {
    const entries = [
      repo('donnees-equipe', { name: 'Données Équipe', projectKey: 'EQ', projectName: 'Équipe' }),
    ];
    expect(find(entries, 'de').map((h) => h.match)).toEqual(['word']);
    expect(find(entries, 'dequ').map((h) => h.match)).toEqual(['word']);
  });

  it('answers one- and two-character queries', () => {
    const entries = ['a', 'api', 'data', 'xy', 'x-y'].map((slug) =>
      repo(slug, { projectKey: 'K', projectName: 'K' }),
    );
    expect(slugs(find(entries, 'a'))).toEqual(['a', 'api', 'data']);
    expect(slugs(find(entries, 'xy'))).toEqual(['xy', 'x-y']);
    expect(slugs(find(entries, 'q'))).toEqual([]);
  });

  it('takes digits and punctuation in a query literally for substrings', () => {
    const entries = [repo('v2-api'), repo('api_v2'), repo('k8s.config')];
    expect(slugs(find(entries, 'v2'))).toEqual(['v2-api', 'api_v2']);
    expect(slugs(find(entries, 's.c'))).toEqual(['k8s.config']);
    expect(slugs(find(entries, '_'))).toEqual(['api_v2']);
  });
});

describe('ranking', () => {
  it('orders exact slug, then prefix, then word start, then substring', () => {
    const entries = [
      repo('mapi'), // substring
      repo('my-api'), // word start
      repo('apis'), // prefix of the slug
      repo('api'), // exact
      repo('gateway', { name: 'API gateway' }), // prefix of the name
    ];
    const hits = find(entries, 'api');
    expect(hits.map((h) => [h.entry.slug, h.rank])).toEqual([
      ['api', 'exact'],
      ['apis', 'prefix'],
      ['gateway', 'prefix'],
      ['my-api', 'word'],
      ['mapi', 'substring'],
    ]);
  });

  it('puts recently used first, only among entries that match', () => {
    const entries = [
      repo('api'),
      repo('mapi', { lastUsedAt: 1_000 }),
      repo('unrelated', { lastUsedAt: 5_000 }),
      repo('capi', { lastUsedAt: 2_000 }),
    ];
    const hits = find(entries, 'api');
    expect(hits.map((h) => [h.entry.slug, h.rank, h.match])).toEqual([
      ['capi', 'recent', 'substring'],
      ['mapi', 'recent', 'substring'],
      ['api', 'exact', 'exact'],
    ]);
  });

  it('orders recently used ones by how they match, then most recent', () => {
    const entries = [
      repo('api-old', { lastUsedAt: 1_000 }),
      repo('mapi', { lastUsedAt: 9_000 }),
      repo('api', { lastUsedAt: 2_000 }),
      repo('api-new', { lastUsedAt: 3_000 }),
    ];
    expect(slugs(find(entries, 'api'))).toEqual(['api', 'api-new', 'api-old', 'mapi']);
  });

  it('ranks at most maxRecent entries as recent; the others keep their class, most recent first', () => {
    const entries = [
      repo('api'),
      ...Array.from({ length: 8 }, (_, i) => repo(`api-${i}`, { lastUsedAt: 1_000 + i })),
    ];
    const hits = find(entries, 'api');
    expect(hits.filter((h) => h.rank === 'recent').map((h) => h.entry.slug)).toEqual([
      'api-7',
      'api-6',
      'api-5',
      'api-4',
      'api-3',
    ]);
    expect(hits.slice(5).map((h) => [h.entry.slug, h.rank])).toEqual([
      ['api', 'exact'],
      ['api-2', 'prefix'],
      ['api-1', 'prefix'],
      ['api-0', 'prefix'],
    ]);
    expect(find(entries, 'api', { maxRecent: 0 })[0]!.entry.slug).toBe('api');
  });

  it('within a class: shorter slug, then alphabetical, then project key', () => {
    const entries = [
      repo('api-zeta'),
      repo('api-beta', { projectKey: 'ZED' }),
      repo('api-beta', { projectKey: 'ABC' }),
      repo('api-x'),
      repo('api-alpha'),
    ];
    expect(find(entries, 'api-').map((h) => `${h.entry.projectKey}/${h.entry.slug}`)).toEqual([
      'PLAT/api-x',
      'ABC/api-beta',
      'ZED/api-beta',
      'PLAT/api-zeta',
      'PLAT/api-alpha',
    ]);
  });

  it('orders by slug length, then by character, also beyond ASCII and past six characters', () => {
    const slugList = [
      'b',
      'я',
      'a',
      'aж',
      'ab',
      'aд',
      'aa',
      'abcdefgz',
      'abcdefga',
      'abcdefg\u0436',
      'ab\u00ffd',
    ];
    const entries = slugList.map((slug) => repo(slug, { projectKey: 'ZZ', projectName: 'Zone', name: 'x' }));
    expect(slugs(find(entries, 'zz'))).toEqual([
      'a',
      'b',
      'я',
      'aa',
      'ab',
      'aд',
      'aж',
      'abÿd',
      'abcdefga',
      'abcdefgz',
      'abcdefgж',
    ]);
  });

  it('with several terms, takes the best class any term reaches; terms joined by "-" can be the exact slug', () => {
    const entries = [
      repo('platform-tools-legacy'),
      repo('platform-tools'),
      repo('tools', { projectKey: 'PLATFORM' }),
    ];
    const hits = find(entries, 'platform tools');
    expect(hits.map((h) => [h.entry.slug, h.rank])).toEqual([
      ['tools', 'exact'],
      ['platform-tools', 'exact'],
      ['platform-tools-legacy', 'prefix'],
    ]);
  });
});

describe('the empty query and limits', () => {
  it('returns the recently used entries for an empty query, most recent first', () => {
    const entries = [repo('a'), repo('b', { lastUsedAt: 10 }), repo('c', { lastUsedAt: 20 })];
    expect(find(entries, '').map((h) => [h.entry.slug, h.rank])).toEqual([
      ['c', 'recent'],
      ['b', 'recent'],
    ]);
    expect(slugs(find(entries, ' / '))).toEqual(['c', 'b']);
    expect(find([repo('a')], '')).toEqual([]);
  });

  it('returns at most `limit` hits (default 50), best first', () => {
    const entries = Array.from({ length: 120 }, (_, i) => repo(`svc-${String(i).padStart(3, '0')}`));
    entries.push(repo('svc'));
    expect(find(entries, 'svc')).toHaveLength(50);
    const five = find(entries, 'svc', { limit: 5 });
    expect(slugs(five)).toEqual(['svc', 'svc-000', 'svc-001', 'svc-002', 'svc-003']);
    expect(find(entries, 's', { limit: 0 })).toHaveLength(1);
  });

  it('keeps the best classes when the worse ones are plentiful (early stop is exact)', () => {
    const entries = [
      ...Array.from({ length: 200 }, (_, i) => repo(`x-${i}-cab`)), // substring
      ...Array.from({ length: 200 }, (_, i) => repo(`x-${i}-a-b`)), // word start
    ];
    entries.push(repo('ab-late')); // prefix, sorted after many
    entries.push(repo('ab')); // exact
    const hits = find(entries, 'ab', { limit: 3 });
    expect(hits.map((h) => [h.entry.slug, h.rank])).toEqual([
      ['ab', 'exact'],
      ['ab-late', 'prefix'],
      ['x-0-a-b', 'word'],
    ]);
  });

  it('settles ties on slug length alphabetically, whatever order the entries came in', () => {
    const names = Array.from({ length: 300 }, (_, i) => `svc-${String.fromCharCode(97 + (i % 26))}${i % 7}`);
    const entries = [...names].reverse().map((slug, i) => repo(slug, { key: `k${i}` }));
    entries.push(repo('svc-long-name-here', { key: 'long' }));
    const expected = [...names].sort();
    expect(slugs(find(entries, 'svc', { limit: 3 }))).toEqual(expected.slice(0, 3));
    expect(slugs(find(entries, 's', { limit: 4 }))).toEqual(expected.slice(0, 4));
    // Equal slugs: by project key, then key.
    const same = [
      repo('api', { projectKey: 'B', key: '2' }),
      repo('api', { projectKey: 'A', key: '3' }),
      repo('api', { projectKey: 'A', key: '1' }),
    ];
    expect(find(same, 'api').map((h) => h.key)).toEqual(['1', '3', '2']);
  });

  it('agrees with a full sort on a larger index, for many queries and limits', () => {
    const words = ['api', 'web', 'pay', 'data', 'tools', 'platform', 'auth', 'app', 'svc', 'ios'];
    const entries: SearchEntry[] = [];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(next() * 3);
      const slug = Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join('-');
      entries.push(
        repo(slug, {
          key: `k${i}`,
          projectKey: ['PLAT', 'PAY', 'WEB'][i % 3]!,
          ...(next() < 0.05 ? { lastUsedAt: Math.floor(next() * 1e6) + 1 } : {}),
        }),
      );
    }
    const index = createSearchIndex(entries);
    for (const q of ['a', 'p', 'pt', 'api', 'wa', 'plat api', 'ios', 'x', 'tools-a']) {
      const all = index.search(q, { limit: 10_000 });
      for (const limit of [1, 3, 10, 50]) {
        expect(
          index.search(q, { limit }).map((h) => h.key),
          `${q} ${limit}`,
        ).toEqual(all.slice(0, limit).map((h) => h.key));
      }
    }
  });
});

describe('against a plain reference implementation of the rule', () => {
  // Straightforward and slow: words by a regular expression, initials by recursion, a full sort.
  const wordsOf = (text: string) =>
    (text.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []).map((w) => w.toLowerCase());
  const initials = (letters: string, words: string[]): boolean => {
    const from = (qi: number, w: number): boolean => {
      if (qi === letters.length) return true;
      const word = words[w];
      if (word === undefined) return false;
      for (let len = Math.min(word.length, letters.length - qi); len > 0; len--) {
        if (word.startsWith(letters.slice(qi, qi + len)) && from(qi + len, w + 1)) return true;
      }
      return false;
    };
    return words.some((_, w) => from(0, w));
  };
  const classOf = (e: SearchEntry, term: string): number => {
    const slug = e.slug.toLowerCase();
    if (slug === term) return 1;
    if (slug.startsWith(term) || e.name.toLowerCase().startsWith(term)) return 2;
    const letters = term.replace(/[^a-z0-9]/g, '');
    const fields = [e.projectKey, e.projectName, e.name, e.slug];
    if (letters && fields.some((f) => initials(letters, wordsOf(f)))) return 3;
    return fields
      .map((f) => f.toLowerCase())
      .join(' / ')
      .includes(term)
      ? 4
      : 5;
  };
  const reference = (entries: SearchEntry[], query: string, maxRecent = 5) => {
    const terms = [
      ...new Set(
        query
          .toLowerCase()
          .split(/[\s/]+/)
          .filter(Boolean),
      ),
    ];
    const scored = entries.flatMap((e) => {
      const classes = terms.map((t) => classOf(e, t));
      if (classes.some((c) => c === 5)) return [];
      let best = Math.min(...classes);
      if (
        terms.length > 1 &&
        e.slug.toLowerCase() ===
          query
            .toLowerCase()
            .split(/[\s/]+/)
            .filter(Boolean)
            .join('-')
      )
        best = 1;
      return [{ e, best }];
    });
    const order = (a: SearchEntry, b: SearchEntry) =>
      (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0) ||
      a.slug.length - b.slug.length ||
      (a.slug.toLowerCase() < b.slug.toLowerCase()
        ? -1
        : a.slug.toLowerCase() > b.slug.toLowerCase()
          ? 1
          : 0) ||
      (a.projectKey < b.projectKey ? -1 : a.projectKey > b.projectKey ? 1 : 0) ||
      (a.key < b.key ? -1 : 1);
    const recent = scored
      .filter((s) => s.e.lastUsedAt)
      .sort((a, b) => order(a.e, b.e))
      .slice(0, maxRecent);
    const rest = scored.filter((s) => !recent.includes(s));
    recent.sort((a, b) => a.best - b.best || order(a.e, b.e));
    rest.sort((a, b) => a.best - b.best || order(a.e, b.e));
    return [...recent, ...rest].map((s) => s.e.key);
  };

  it('ranks like the reference on random names, for many queries and limits', () => {
    const words = [
      'api',
      'web',
      'pay',
      'data',
      'tools',
      'platform',
      'auth',
      'app',
      'svc',
      'ios',
      'V2',
      'k8s',
    ];
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = () => words[Math.floor(next() * words.length)]!;
    const entries: SearchEntry[] = [];
    for (let i = 0; i < 1500; i++) {
      const parts = Array.from({ length: 1 + Math.floor(next() * 3) }, pick);
      entries.push({
        key: `k${String(i).padStart(4, '0')}`,
        projectKey: ['PLAT', 'PAY', 'WEB', 'DATA'][i % 4]!,
        projectName: ['Platform', 'Payments', 'Web Apps', 'DataHub'][i % 4]!,
        name: next() < 0.5 ? parts.join(' ') : parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join(''),
        slug: parts.join(next() < 0.8 ? '-' : '_').toLowerCase(),
        ...(next() < 0.03 ? { lastUsedAt: 1 + Math.floor(next() * 1e6) } : {}),
      });
    }
    const index = createSearchIndex(entries);
    const queries = [
      'a',
      'p',
      'w',
      'pt',
      'wa',
      'api',
      'k8',
      'da',
      'plat api',
      'PAY/web',
      'ptools',
      'v2',
      'ai',
      'dh',
      'x',
    ];
    for (const q of queries) {
      const expected = reference(entries, q);
      for (const limit of [1, 5, 50, 5000]) {
        expect(
          index.search(q, { limit }).map((h) => h.key),
          `${q} / ${limit}`,
        ).toEqual(expected.slice(0, limit));
      }
    }
  });
});

describe('highlight ranges', () => {
  it('marks the slug for exact and prefix matches, the name for a name prefix', () => {
    const entries = [repo('api-gateway', { name: 'Gateway' })];
    expect(find(entries, 'api')[0]!.ranges).toEqual([{ field: 'slug', start: 0, end: 3 }]);
    expect(find(entries, 'gate')[0]!.ranges).toEqual([{ field: 'name', start: 0, end: 4 }]);
  });

  it('marks each piece of a word-start match', () => {
    const entries = [repo('platform-tools', { name: 'x', projectKey: 'K', projectName: 'P' })];
    expect(find(entries, 'plto')[0]!.ranges).toEqual([
      { field: 'slug', start: 0, end: 2 },
      { field: 'slug', start: 9, end: 11 },
    ]);
    expect(find(entries, 'ptools')[0]!.ranges).toEqual([
      { field: 'slug', start: 0, end: 1 },
      { field: 'slug', start: 9, end: 14 },
    ]);
  });

  it('marks substrings in the field they are in, in offsets of the original text', () => {
    const entries = [repo('docs', { projectKey: 'ZUR', projectName: 'Zürich Büro', name: 'Über Docs' })];
    expect(find(entries, 'buro')[0]!.ranges).toEqual([{ field: 'projectName', start: 7, end: 11 }]);
    expect(find(entries, 'rich')[0]!.ranges).toEqual([{ field: 'projectName', start: 2, end: 6 }]);
    const decomposed = [repo('x', { projectKey: 'Q', projectName: 'Q', name: 'Cafe\u0301 Noir' })];
    // "é" is two code units here: the range covers the accent too.
    expect(find(decomposed, 'cafe')[0]!.ranges).toEqual([{ field: 'name', start: 0, end: 5 }]);
  });

  it('marks every term of a multi-term query', () => {
    const entries = [repo('api', { projectKey: 'PAY', projectName: 'Payments', name: 'API' })];
    expect(find(entries, 'pay api')[0]!.ranges).toEqual([
      { field: 'projectKey', start: 0, end: 3 },
      { field: 'slug', start: 0, end: 3 },
    ]);
  });
});

describe('keeping the index current', () => {
  it('adds, replaces and removes entries by key', () => {
    const index = createSearchIndex([repo('alpha', { key: 'a' }), repo('beta', { key: 'b' })]);
    expect(index.size).toBe(2);
    index.upsert([repo('gamma', { key: 'c' }), repo('alphabet', { key: 'a' })]);
    expect(index.size).toBe(3);
    expect(slugs(index.search('alpha'))).toEqual(['alphabet']);
    index.remove(['b']);
    expect(index.search('beta')).toEqual([]);
    expect(slugs(index.search('gamma'))).toEqual(['gamma']);
  });

  it('sees a new lastUsedAt on an upserted entry', () => {
    const index = createSearchIndex([repo('api-one', { key: 'a' }), repo('api-two', { key: 'b' })]);
    expect(slugs(index.search('api'))).toEqual(['api-one', 'api-two']);
    index.upsert([repo('api-two', { key: 'b', lastUsedAt: 5 })]);
    expect(index.search('api').map((h) => [h.entry.slug, h.rank])).toEqual([
      ['api-two', 'recent'],
      ['api-one', 'prefix'],
    ]);
  });

  it('replaceAll drops what is gone, keeps what stayed, adds what is new, in order', () => {
    const first = Array.from({ length: 50 }, (_, i) => repo(`svc-${i}`, { key: `k${i}` }));
    const index = createSearchIndex(first);
    const next = [...first.slice(10), repo('svc-new', { key: 'new' }), repo('svc', { key: 'top' })];
    index.replaceAll(next);
    expect(index.size).toBe(42);
    expect(
      createSearchIndex(next)
        .search('svc', { limit: 100 })
        .map((h) => h.key),
    ).toEqual(index.search('svc', { limit: 100 }).map((h) => h.key));
    expect(index.search('svc-1', { limit: 100 }).map((h) => h.entry.slug)).not.toContain('svc-1');
  });

  it('returns the entry object it was last given', () => {
    const a = repo('api', { key: 'a' });
    const index = createSearchIndex([a]);
    const again = { ...a };
    index.replaceAll([again]);
    expect(index.search('api')[0]!.entry).toBe(again);
  });
});
