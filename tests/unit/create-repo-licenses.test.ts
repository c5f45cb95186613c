import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_LICENSE_IDS,
  COMMON_LICENSES,
  copyrightProblem,
  fillsCopyright,
  type LicenseChoice,
  licenseFileContent,
  loadLicenseChoices,
  loadLicenseText,
  NO_LICENSE,
  searchLicenses,
} from '../../lib/features/create-repo/licenses';

/** The package's own files, read directly: what the extension's chunks must reproduce. */
const packageDir = dirname(createRequire(import.meta.url).resolve('spdx-license-list/package.json'));
const packageText = (id: string): string =>
  (JSON.parse(readFileSync(join(packageDir, 'licenses', `${id}.json`), 'utf8')) as { licenseText: string })
    .licenseText;
const packageNames = JSON.parse(readFileSync(join(packageDir, 'spdx.json'), 'utf8')) as Record<
  string,
  { name: string }
>;

const fields = { year: '2026', holder: 'Alice Example' };
let choices: readonly LicenseChoice[];
beforeAll(async () => {
  choices = await loadLicenseChoices();
});

describe('the license list', () => {
  it('starts with the common ones and “None”, then the rest by name', () => {
    expect(choices.slice(0, 6).map((c) => c.id)).toEqual([
      'MIT',
      'Apache-2.0',
      'GPL-3.0-or-later',
      'BSD-3-Clause',
      'MPL-2.0',
      NO_LICENSE,
    ]);
    expect(choices.slice(0, 6).every((c) => c.common)).toBe(true);
    const rest = choices.slice(6);
    expect(rest.every((c) => !c.common)).toBe(true);
    expect(rest.map((c) => c.name)).toEqual(
      [...rest.map((c) => c.name)].sort((a, b) => a.localeCompare(b, 'en')),
    );
  });

  it('uses the package’s SPDX ids and names and offers only licenses whose text is bundled', () => {
    const offered = choices.filter((c) => c.id !== NO_LICENSE);
    expect(offered.map((c) => c.id).sort()).toEqual([...BUNDLED_LICENSE_IDS].sort());
    for (const c of offered) expect(c.name, c.id).toBe(packageNames[c.id]?.name);
    expect(choices.find((c) => c.id === 'MIT')?.name).toBe('MIT License');
    expect(choices.find((c) => c.id === NO_LICENSE)?.name).toBe('None');
    expect(new Set(choices.map((c) => c.id)).size).toBe(choices.length);
    for (const id of COMMON_LICENSES) expect(BUNDLED_LICENSE_IDS).toContain(id);
  });

  it('marks the licenses that ask for year and holder', () => {
    const asks = choices.filter((c) => c.fillsCopyright).map((c) => c.id);
    expect(asks).toEqual(expect.arrayContaining(['MIT', 'BSD-3-Clause', 'BSD-2-Clause', 'ISC', '0BSD']));
    for (const id of ['Apache-2.0', 'GPL-3.0-or-later', 'MPL-2.0', NO_LICENSE])
      expect(fillsCopyright(id), id).toBe(false);
  });

  it('stays well inside the size budget', () => {
    // Distinct text files bundled (the GNU -only and -or-later ids share one).
    const files = new Set(BUNDLED_LICENSE_IDS.map((id) => id.replace(/-only$/, '-or-later')));
    const bytes = [...files].reduce((sum, id) => sum + Buffer.byteLength(packageText(id)), 0);
    expect(bytes).toBeLessThan(600_000);
  });

  it('is searched by id and name, the exact id first', () => {
    const ids = (query: string) => searchLicenses(choices, query).map((c) => c.id);
    expect(ids('')).toEqual(choices.map((c) => c.id));
    expect(ids('mit')[0]).toBe('MIT');
    expect(ids('mit')).toContain('MIT-0');
    expect(ids('apache')).toEqual(['Apache-2.0']);
    expect(ids('gpl-3.0')).toEqual([
      'GPL-3.0-or-later',
      'GPL-3.0-only',
      'AGPL-3.0-only',
      'AGPL-3.0-or-later',
      'LGPL-3.0-only',
      'LGPL-3.0-or-later',
    ]);
    expect(ids('lesser 2.1')).toEqual(['LGPL-2.1-only', 'LGPL-2.1-or-later']);
    expect(ids('none')).toEqual([NO_LICENSE]);
    expect(ids('no such license')).toEqual([]);
  });
});

describe('the LICENSE file', () => {
  it('MIT: year and holder in the copyright line, the rest as the package has it', async () => {
    const text = await licenseFileContent('MIT', { year: ' 2026 ', holder: ' Alice Example ' });
    expect(text).toContain('\nCopyright (c) 2026 Alice Example\n');
    expect(text).not.toMatch(/<year>|<copyright holders>/);
    expect(text).toBe(
      `${packageText('MIT').replace('Copyright (c) <year> <copyright holders>', 'Copyright (c) 2026 Alice Example')}\n`,
    );
  });

  it.each(['Apache-2.0', 'GPL-3.0-or-later', 'GPL-2.0-only', 'MPL-2.0', 'AGPL-3.0-or-later', 'Zlib'])(
    '%s: verbatim, how-to-apply placeholders and all',
    async (id) => {
      const text = await licenseFileContent(id, fields);
      const original = packageText(id);
      expect(text).toBe(original.endsWith('\n') ? original : `${original}\n`);
      expect(text).not.toContain('Alice Example');
    },
  );

  it('Apache keeps its appendix placeholder', async () => {
    expect(await licenseFileContent('Apache-2.0', fields)).toContain(
      'Copyright [yyyy] [name of copyright owner]',
    );
  });

  it.each(BUNDLED_LICENSE_IDS.filter(fillsCopyright))(
    '%s: every placeholder of its copyright line is found and filled',
    async (id) => {
      const original = packageText(id);
      const text = (await licenseFileContent(id, fields)) ?? '';
      expect(text).not.toBe(`${original}\n`);
      const line = text.split('\n').find((l) => /copyright/i.test(l) && l.includes('Alice Example'));
      expect(line, 'a copyright line with the holder').toBeDefined();
      expect(line).toContain('2026');
      expect(line).not.toMatch(/<|>|\[|\]|\bYEAR\b|\bOWNER\b|AUTHOR EMAIL/i);
      expect(text.endsWith('\n')).toBe(true);
    },
  );

  it('ISC: the user’s notice replaces the ISC’s own, and “the author” its name in the disclaimer', async () => {
    const text = (await licenseFileContent('ISC', fields)) ?? '';
    expect(text).toContain('\nCopyright (c) 2026 Alice Example\n\nPermission to use');
    expect(text).not.toContain('Internet Systems Consortium');
    expect(text).not.toMatch(/\bISC (DISCLAIMS|BE LIABLE)/);
    expect(text).toContain('THE AUTHOR DISCLAIMS ALL WARRANTIES');
  });

  it('BSD-3-Clause and BSD-3-Clause-Clear: holder wherever the text names the owner', async () => {
    expect(await licenseFileContent('BSD-3-Clause', fields)).toMatch(
      /^Copyright \(c\) 2026 Alice Example\.\n\n/,
    );
    const clear = (await licenseFileContent('BSD-3-Clause-Clear', fields)) ?? '';
    expect(clear).toContain('Neither the name of Alice Example nor');
    expect(clear).not.toContain('[Owner Organization]');
  });

  it('a holder with $ signs is written as typed', async () => {
    expect(await licenseFileContent('MIT', { year: '2026', holder: "$& Co $1 $'" })).toContain(
      "Copyright (c) 2026 $& Co $1 $'\n",
    );
  });

  it('“None” gives no file', async () => {
    expect(await licenseFileContent(NO_LICENSE, fields)).toBeNull();
  });

  it('an unknown license is refused with a sentence', async () => {
    await expect(loadLicenseText('CECILL-B')).rejects.toThrow(
      'The text of the license “CECILL-B” is not bundled',
    );
  });

  it('the GNU -only and -or-later variants share one text in the package', () => {
    for (const base of ['GPL-2.0', 'GPL-3.0', 'LGPL-2.1', 'LGPL-3.0', 'AGPL-3.0']) {
      expect(packageText(`${base}-only`), base).toBe(packageText(`${base}-or-later`));
    }
  });
});

describe('year and holder', () => {
  it.each([
    [{ year: '2026', holder: 'Alice' }, null],
    [{ year: '2019-2026', holder: 'Example GmbH' }, null],
    [{ year: '2019–2026', holder: 'Example GmbH' }, null],
    [{ year: '2024, 2026', holder: 'A & B' }, null],
    [{ year: '', holder: 'Alice' }, 'Enter the copyright year, for example 2026.'],
    [
      { year: '26', holder: 'Alice' },
      'Enter the copyright year as four digits, for example 2026, or a range such as 2019–2026.',
    ],
    [{ year: '2026', holder: '  ' }, 'Enter the copyright holder: your name or your organisation’s.'],
    [{ year: '2026', holder: 'Alice\nBob' }, 'Write the copyright holder on one line.'],
    [
      { year: '2026', holder: 'x'.repeat(201) },
      'The copyright holder is too long; keep it under 200 characters.',
    ],
  ])('%j → %s', (input, sentence) => {
    expect(copyrightProblem(input)).toBe(sentence);
  });
});
