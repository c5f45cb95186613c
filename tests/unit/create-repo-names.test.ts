import { describe, expect, it } from 'vitest';
import { readmeContent } from '../../lib/features/create-repo/readme';
import { repositorySlug, validateRepositoryName } from '../../lib/features/create-repo/slug';
import { slugify } from '../../simulator/model';
import { repoNameProblem } from '../../simulator/repo-create';

describe('the slug preview', () => {
  it.each([
    // The 9.2 spec's example pair (RestRepository.name / .slug).
    ['My repo', 'my-repo'],
    // A real 7.6.16 page: data-repoName="UVAST_final" data-repoSlug="uvast_final".
    ['UVAST_final', 'uvast_final'],
    // Atlassian's "What is a repository slug?" article, Bitbucket Server column.
    ['føøbar', 'foobar'],
    ['foo bar', 'foo-bar'],
    ['a@b!-#c', 'a-b---c'],
    // Clients' and fixtures' names (§4.3–4.4).
    ['My Repository', 'my-repository'],
    ['qa-resources', 'qa-resources'],
    // Our extension of the same rules.
    ['  Platform Tools  ', 'platform-tools'],
    ['v1.2 release', 'v1.2-release'],
    ['Café Menü', 'cafe-menu'],
    ['Cafe\u0301', 'cafe'],
    ['Straße', 'strasse'],
    ['two  spaces', 'two--spaces'],
    ['ﬁle ②', 'file-2'],
    ['日本 tools', '---tools'],
  ])('“%s” → %s', (name, slug) => {
    expect(repositorySlug(name)).toBe(slug);
  });
});

describe('repository name validation', () => {
  it.each(['My repo', 'UVAST_final', 'føøbar', 'v1.2 release', 'x', '2026-plans', 'a'.repeat(128)])(
    'accepts “%s”',
    (name) => {
      expect(validateRepositoryName(name)).toBeNull();
    },
  );

  it.each([
    ['', 'Enter a name for the repository.'],
    ['   ', 'Enter a name for the repository.'],
    ['a'.repeat(129), 'The name is 129 characters long; the server allows at most 128.'],
    ['-leading', 'The name must start with a letter or a digit.'],
    ['.hidden', 'The name must start with a letter or a digit.'],
    ['_private', 'The name must start with a letter or a digit.'],
    ['line\nbreak', 'The name can’t contain line breaks, tabs or other control characters.'],
    [
      'a@b!-#c',
      'The name can contain only letters, digits, spaces, hyphens (-), underscores (_) and periods (.); remove “@” “!” “#”.',
    ],
    [
      'team/app',
      'The name can contain only letters, digits, spaces, hyphens (-), underscores (_) and periods (.); remove “/”.',
    ],
    [
      'no\u00a0break',
      'The name can contain only letters, digits, spaces, hyphens (-), underscores (_) and periods (.); remove U+00A0.',
    ],
    [
      '日本 tools',
      'The name must start with a letter from A to Z (accents are fine) or a digit: the server builds the repository’s address from it.',
    ],
  ])('refuses %j: %s', (name, sentence) => {
    expect(validateRepositoryName(name)).toBe(sentence);
  });

  const existing = [
    { name: 'Platform Tools', slug: 'platform-tools' },
    { name: 'api', slug: 'api' },
  ];

  it('refuses a name the project already has, in any case', () => {
    expect(validateRepositoryName('platform tools', existing)).toBe(
      'A repository named “Platform Tools” already exists in this project.',
    );
  });

  it('refuses a new name whose slug another repository already has', () => {
    expect(validateRepositoryName('Platform_Tools', existing)).toBeNull();
    expect(validateRepositoryName('Platform-Tools', existing)).toBe(
      'The address “platform-tools” is already taken in this project by “Platform Tools”; choose another name.',
    );
  });

  it('accepts a fresh name next to existing ones', () => {
    expect(validateRepositoryName('api-gateway', existing)).toBeNull();
  });
});

describe('the README', () => {
  it('has the name as title and the description as a paragraph', () => {
    expect(readmeContent('Platform Tools', 'Scripts we share.')).toBe(
      '# Platform Tools\n\nScripts we share.\n',
    );
  });

  it('is only the title without a description', () => {
    expect(readmeContent(' api ', '  ')).toBe('# api\n');
  });

  it('keeps the description’s own lines, with Unix line ends', () => {
    expect(readmeContent('api', 'First line.\r\nSecond line.\r\n')).toBe(
      '# api\n\nFirst line.\nSecond line.\n',
    );
  });
});

describe('the form and the simulated server agree', () => {
  it.each([
    'My repo',
    'UVAST_final',
    'føøbar',
    'a@b!-#c',
    'ﬁle ②',
    'Ørsted Ålesund',
    'Straße',
    '日本 tools',
    '日本',
    'two  spaces',
    ' padded ',
    '-leading',
    'v1.2 release',
    'Cafe\u0301',
    'emoji 😀',
    'a'.repeat(128),
    'a'.repeat(129),
  ])('on “%s”', (name) => {
    expect(repositorySlug(name)).toBe(slugify(name));
    expect(validateRepositoryName(name) === null).toBe(repoNameProblem(name) === undefined);
  });
});
