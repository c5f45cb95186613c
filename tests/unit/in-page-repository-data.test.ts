import { readFileSync } from 'node:fs';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import {
  balancedJson,
  readPageRepository,
  repositoryJsonFromScript,
} from '../../lib/features/clone/in-page/repository-data';

const REFERENCE = '../shared/reference/bitbucket/html';
const real76 = parseHTML(readFileSync(`${REFERENCE}/bbs-7.6.16-source-page.html`, 'utf8')).document;
const pr8Scripts = readFileSync(`${REFERENCE}/bbs-8x-pr-page-inline-scripts-EXCERPT.js`, 'utf8');

const at = (url: string) => new URL(url);

function page(body: string, head = '<meta name="application-name" content="Bitbucket">') {
  return parseHTML(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`).document;
}

const repoJson = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    slug: 'api',
    id: 7,
    name: 'API',
    project: { key: 'PROJ', name: 'Platform' },
    links: {
      clone: [
        { href: 'ssh://git@git.example.com:7999/proj/api.git', name: 'ssh' },
        { href: 'https://alice@git.example.com/scm/proj/api.git', name: 'http' },
      ],
    },
    ...over,
  });
const onReady = (json: string) =>
  `<script>require('bitbucket/internal/layout/repository/repository').onReady(${json}, '#clone-repo-button');</script>`;

describe('balanced JSON extraction', () => {
  it('takes the object up to its own closing brace, past braces and quotes inside strings', () => {
    const text = `x({"a":"} { \\" ]","b":[1,{"c":2}]}, '#b') + {"later":1}`;
    expect(balancedJson(text, 2)).toBe(`{"a":"} { \\" ]","b":[1,{"c":2}]}`);
    expect(JSON.parse(balancedJson(text, 2)!)).toEqual({ a: '} { " ]', b: [1, { c: 2 }] });
  });
  it('returns null when it never closes or does not start at a bracket', () => {
    expect(balancedJson('{"a":{"b":1}', 0)).toBeNull();
    expect(balancedJson('x{}', 0)).toBeNull();
  });
  it('reads only the repository layout call, with either quote style and spacing', () => {
    expect(
      repositoryJsonFromScript(
        `require("bitbucket/internal/layout/repository/repository") .onReady( {"slug":"a"} )`,
      ),
    ).toEqual({
      slug: 'a',
    });
    expect(
      repositoryJsonFromScript(`require('bitbucket/internal/layout/branch/branch').onReady({"x":1})`),
    ).toBeUndefined();
    // Not JSON: skipped, not thrown.
    expect(
      repositoryJsonFromScript(
        `require('bitbucket/internal/layout/repository/repository').onReady({slug: 1})`,
      ),
    ).toBeUndefined();
  });
});

describe('the repository of a page', () => {
  it('comes from the real 7.6.16 page: a personal repository with both clone links', () => {
    const repo = readPageRepository(
      real76,
      at('https://sourcecode.example.com/users/ben2rng/repos/uvast_final/browse/x.py'),
    );
    expect(repo).toEqual({
      id: 111746,
      projectKey: '~BEN2RNG',
      slug: 'uvast_final',
      name: 'UVAST_final',
      baseUrl: 'https://sourcecode.example.com',
      links: {
        http: 'https://sourcecode.socialcoding.bosch.com/scm/~ben2rng/uvast_final.git',
        ssh: 'ssh://git@sourcecode.socialcoding.bosch.com:7999/~ben2rng/uvast_final.git',
      },
      cloneAccess: 'listed',
      source: 'page-data',
    });
  });

  it('comes from a real 8.x pull request page, whose clone links list ssh first', () => {
    const doc = page(
      `<section id="content" data-projectkey="ORC" data-reposlug="terraform-provider"></section>${pr8Scripts
        .split('\n')
        .filter((line) => line.startsWith('require('))
        .map((line) => `<script>${line}</script>`)
        .join('')}`,
    );
    const repo = readPageRepository(
      doc,
      at('https://h.example.com/projects/ORC/repos/terraform-provider/pull-requests/5947/overview'),
    );
    expect(repo).toMatchObject({
      id: 2913,
      projectKey: 'ORC',
      slug: 'terraform-provider',
      source: 'page-data',
    });
    expect(repo?.links.ssh).toBe('ssh://git@<host>:7999/orc/terraform-provider.git');
  });

  it('keeps the project key as the server writes it, never the lower-cased one of a clone URL, under a context path', () => {
    const doc = page(onReady(repoJson()));
    const repo = readPageRepository(
      doc,
      at('https://git.example.com/bitbucket/projects/PROJ/repos/api/browse'),
    );
    expect(repo).toMatchObject({
      projectKey: 'PROJ',
      slug: 'api',
      baseUrl: 'https://git.example.com/bitbucket',
    });
  });

  it('picks the links by name in any order and strips the user from the http one', () => {
    const repo = readPageRepository(
      page(onReady(repoJson())),
      at('https://git.example.com/projects/PROJ/repos/api'),
    );
    expect(repo?.links).toEqual({
      http: 'https://git.example.com/scm/proj/api.git',
      ssh: 'ssh://git@git.example.com:7999/proj/api.git',
    });
  });

  it('says clone access is off when the page data has no links.clone, and lists a single link as it is', () => {
    const off = readPageRepository(
      page(onReady(repoJson({ links: { self: [{ href: 'x' }] } }))),
      at('https://h/projects/PROJ/repos/api/browse'),
    );
    expect(off).toMatchObject({ cloneAccess: 'off', links: {} });
    const sshOnly = readPageRepository(
      page(onReady(repoJson({ links: { clone: [{ href: 'ssh://git@h:7999/proj/api.git', name: 'ssh' }] } }))),
      at('https://h/projects/PROJ/repos/api/browse'),
    );
    expect(sshOnly).toMatchObject({ cloneAccess: 'listed', links: { ssh: 'ssh://git@h:7999/proj/api.git' } });
  });

  it('falls back to #content’s attributes, then to the URL, with clone links unknown (not absent)', () => {
    const attributes = readPageRepository(
      page(
        '<section id="content" data-projectkey="~ALICE" data-reposlug="dotfiles" data-reponame="Dotfiles"></section>',
      ),
      at('https://h/users/alice/repos/dotfiles/browse'),
    );
    expect(attributes).toEqual({
      projectKey: '~ALICE',
      slug: 'dotfiles',
      name: 'Dotfiles',
      baseUrl: 'https://h',
      links: {},
      cloneAccess: 'unknown',
      source: 'content-attributes',
    });
    const url = readPageRepository(
      page('<main></main>'),
      at('https://h/users/Alice/repos/dot%20files/commits'),
    );
    expect(url).toMatchObject({
      projectKey: '~ALICE',
      slug: 'dot files',
      cloneAccess: 'unknown',
      source: 'url',
    });
  });

  it('ignores page data naming another repository than the URL (after an in-page move elsewhere)', () => {
    const repo = readPageRepository(
      page(onReady(repoJson())),
      at('https://h/projects/PROJ/repos/other/browse'),
    );
    expect(repo).toMatchObject({ slug: 'other', source: 'url', cloneAccess: 'unknown' });
  });

  it('is null off repository pages', () => {
    expect(readPageRepository(page(''), at('https://h/projects/PROJ'))).toBeNull();
    expect(readPageRepository(page(''), at('https://h/dashboard'))).toBeNull();
  });
});
