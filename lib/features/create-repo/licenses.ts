/**
 * The LICENSE of a new repository: SPDX identifiers, names and texts from the `spdx-license-list`
 * package (CC0-1.0, kept in step with the SPDX License List).
 *
 * What is bundled: the package's names (one lazy chunk) and the texts of a curated set of 41
 * licenses, each text its own lazy chunk loaded when that license is chosen. The package's 700+ texts
 * are about 6 MB, far over the 1 MB the issue allows for templates and licenses together; measured
 * with `wxt build`, the texts take 370 KB of .output/chrome-mv3, the names 101 KB and the .gitignore
 * templates 15 KB. Licenses without a bundled text are left out of the list: on the air-gapped
 * networks where Bitbucket Server often runs, a choice that can't produce its file would be a dead end.
 *
 * Year and copyright holder are filled only where the text has a copyright line with placeholders
 * (MIT, MIT-0, BSD-2/3/4-Clause, BSD-3-Clause-Clear, 0BSD, ISC, UPL-1.0); every other text (Apache,
 * GPL, MPL…) is written verbatim, its how-to-apply appendix included.
 *
 * Interface for the form:
 * ```ts
 * const choices = await loadLicenseChoices();            // common first, then by name; includes NO_LICENSE
 * const shown = searchLicenses(choices, query);
 * const problem = copyrightProblem({ year, holder });    // sentence or null (only for choices with fillsCopyright)
 * const text = await licenseFileContent(id, { year, holder }); // null for NO_LICENSE
 * ```
 */

/** The id of the "no license" choice (not an SPDX id). */
export const NO_LICENSE = 'none';

/** The file name in the repository. */
export const LICENSE_FILE_NAME = 'LICENSE';

/** The common licenses, first in the list in this order, followed by "None". */
export const COMMON_LICENSES = ['MIT', 'Apache-2.0', 'GPL-3.0-or-later', 'BSD-3-Clause', 'MPL-2.0'] as const;

export interface LicenseChoice {
  /** SPDX identifier, or `NO_LICENSE`. */
  id: string;
  /** SPDX full name ("MIT License"), or "None". */
  name: string;
  /** In the common group at the top of the list. */
  common: boolean;
  /** The text has a copyright line: ask for year and holder. */
  fillsCopyright: boolean;
}

export interface CopyrightFields {
  /** "2026", or a range or list such as "2019–2026" or "2024, 2026". */
  year: string;
  /** Person or organisation, e.g. the user's display name. */
  holder: string;
}

type TextModule = Promise<{ default: { licenseText: string } }>;

/**
 * The bundled texts. The `-only` and `-or-later` variants of the GNU licenses have the same text in
 * the package (a unit test checks), so they share one chunk.
 */
const TEXTS: Readonly<Record<string, () => TextModule>> = {
  MIT: () => import('spdx-license-list/licenses/MIT.json'),
  'Apache-2.0': () => import('spdx-license-list/licenses/Apache-2.0.json'),
  'GPL-3.0-or-later': () => import('spdx-license-list/licenses/GPL-3.0-or-later.json'),
  'GPL-3.0-only': () => import('spdx-license-list/licenses/GPL-3.0-or-later.json'),
  'BSD-3-Clause': () => import('spdx-license-list/licenses/BSD-3-Clause.json'),
  'MPL-2.0': () => import('spdx-license-list/licenses/MPL-2.0.json'),
  '0BSD': () => import('spdx-license-list/licenses/0BSD.json'),
  'AFL-3.0': () => import('spdx-license-list/licenses/AFL-3.0.json'),
  'AGPL-3.0-or-later': () => import('spdx-license-list/licenses/AGPL-3.0-or-later.json'),
  'AGPL-3.0-only': () => import('spdx-license-list/licenses/AGPL-3.0-or-later.json'),
  'Artistic-2.0': () => import('spdx-license-list/licenses/Artistic-2.0.json'),
  'BlueOak-1.0.0': () => import('spdx-license-list/licenses/BlueOak-1.0.0.json'),
  'BSD-2-Clause': () => import('spdx-license-list/licenses/BSD-2-Clause.json'),
  'BSD-3-Clause-Clear': () => import('spdx-license-list/licenses/BSD-3-Clause-Clear.json'),
  'BSD-4-Clause': () => import('spdx-license-list/licenses/BSD-4-Clause.json'),
  'BSL-1.0': () => import('spdx-license-list/licenses/BSL-1.0.json'),
  'CC-BY-4.0': () => import('spdx-license-list/licenses/CC-BY-4.0.json'),
  'CC-BY-SA-4.0': () => import('spdx-license-list/licenses/CC-BY-SA-4.0.json'),
  'CC0-1.0': () => import('spdx-license-list/licenses/CC0-1.0.json'),
  'CECILL-2.1': () => import('spdx-license-list/licenses/CECILL-2.1.json'),
  'ECL-2.0': () => import('spdx-license-list/licenses/ECL-2.0.json'),
  'EPL-1.0': () => import('spdx-license-list/licenses/EPL-1.0.json'),
  'EPL-2.0': () => import('spdx-license-list/licenses/EPL-2.0.json'),
  'EUPL-1.2': () => import('spdx-license-list/licenses/EUPL-1.2.json'),
  'GPL-2.0-or-later': () => import('spdx-license-list/licenses/GPL-2.0-or-later.json'),
  'GPL-2.0-only': () => import('spdx-license-list/licenses/GPL-2.0-or-later.json'),
  ISC: () => import('spdx-license-list/licenses/ISC.json'),
  'LGPL-2.1-or-later': () => import('spdx-license-list/licenses/LGPL-2.1-or-later.json'),
  'LGPL-2.1-only': () => import('spdx-license-list/licenses/LGPL-2.1-or-later.json'),
  'LGPL-3.0-or-later': () => import('spdx-license-list/licenses/LGPL-3.0-or-later.json'),
  'LGPL-3.0-only': () => import('spdx-license-list/licenses/LGPL-3.0-or-later.json'),
  'MIT-0': () => import('spdx-license-list/licenses/MIT-0.json'),
  'MS-PL': () => import('spdx-license-list/licenses/MS-PL.json'),
  'MS-RL': () => import('spdx-license-list/licenses/MS-RL.json'),
  'MulanPSL-2.0': () => import('spdx-license-list/licenses/MulanPSL-2.0.json'),
  'OFL-1.1': () => import('spdx-license-list/licenses/OFL-1.1.json'),
  'OSL-3.0': () => import('spdx-license-list/licenses/OSL-3.0.json'),
  'UPL-1.0': () => import('spdx-license-list/licenses/UPL-1.0.json'),
  Unlicense: () => import('spdx-license-list/licenses/Unlicense.json'),
  Zlib: () => import('spdx-license-list/licenses/Zlib.json'),
};

/** The ids with a bundled text, i.e. every license the form offers. */
export const BUNDLED_LICENSE_IDS: readonly string[] = Object.keys(TEXTS);

/**
 * How each text with a copyright line is filled: exact strings of the package's text and what
 * replaces each (every occurrence). ISC's text is the ISC's own notice; SPDX marks its holder and
 * "ISC" in the disclaimer as replaceable, so both become the user's notice and "THE AUTHOR".
 */
const COPYRIGHT_FILLS: Readonly<Record<string, readonly [string, (f: CopyrightFields) => string][]>> = {
  MIT: [['Copyright (c) <year> <copyright holders>', (f) => `Copyright (c) ${f.year} ${f.holder}`]],
  'MIT-0': [['Copyright <YEAR> <COPYRIGHT HOLDER>', (f) => `Copyright ${f.year} ${f.holder}`]],
  'BSD-2-Clause': [['Copyright (c) <year> <owner> \n', (f) => `Copyright (c) ${f.year} ${f.holder}\n`]],
  'BSD-3-Clause': [['Copyright (c) <year> <owner>. \n', (f) => `Copyright (c) ${f.year} ${f.holder}.\n`]],
  'BSD-4-Clause': [['Copyright (c) <year> <owner>.', (f) => `Copyright (c) ${f.year} ${f.holder}.`]],
  'BSD-3-Clause-Clear': [
    ['Copyright (c) [xxxx]-[xxxx] [Owner Organization]', (f) => `Copyright (c) ${f.year} ${f.holder}`],
    ['[Owner Organization]', (f) => f.holder],
  ],
  '0BSD': [['Copyright (C) YEAR by AUTHOR EMAIL', (f) => `Copyright (C) ${f.year} by ${f.holder}`]],
  ISC: [
    [
      'Copyright (c) 2004-2010 by Internet Systems Consortium, Inc. ("ISC")\nCopyright (c) 1995-2003 by Internet Software Consortium',
      (f) => `Copyright (c) ${f.year} ${f.holder}`,
    ],
    ['AND ISC DISCLAIMS', () => 'AND THE AUTHOR DISCLAIMS'],
    ['SHALL ISC BE LIABLE', () => 'SHALL THE AUTHOR BE LIABLE'],
  ],
  'UPL-1.0': [['Copyright (c) [year] [copyright holders]', (f) => `Copyright (c) ${f.year} ${f.holder}`]],
};

/** Whether `id`'s text gets year and holder (the form shows those fields only then). */
export function fillsCopyright(id: string): boolean {
  return id in COPYRIGHT_FILLS;
}

let choices: Promise<readonly LicenseChoice[]> | undefined;

/** The license list, loaded once: the common ones and "None" first, then the rest by name. */
export function loadLicenseChoices(): Promise<readonly LicenseChoice[]> {
  choices ??= import('spdx-license-list/spdx.json').then(
    (m) => {
      const names = m.default as Readonly<Record<string, { name: string } | undefined>>;
      const choice = (id: string, common: boolean): LicenseChoice => ({
        id,
        name: names[id]?.name ?? id,
        common,
        fillsCopyright: fillsCopyright(id),
      });
      const common: readonly string[] = COMMON_LICENSES;
      const rest = BUNDLED_LICENSE_IDS.filter((id) => !common.includes(id))
        .map((id) => choice(id, false))
        .sort((a, b) => a.name.localeCompare(b.name, 'en'));
      return [
        ...COMMON_LICENSES.map((id) => choice(id, true)),
        { id: NO_LICENSE, name: 'None', common: true, fillsCopyright: false },
        ...rest,
      ];
    },
    (error: unknown) => {
      choices = undefined;
      throw error;
    },
  );
  return choices;
}

/**
 * The choices whose SPDX id or name contains every term of `query` (case-insensitive): the exact id
 * first, then ids starting with the query, then the rest, each in list order; an empty query gives
 * the whole list.
 */
export function searchLicenses(list: readonly LicenseChoice[], query: string): LicenseChoice[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [...list];
  const whole = terms.join(' ');
  const hits = list.filter((c) => {
    const text = `${c.id} ${c.name}`.toLowerCase();
    return terms.every((t) => text.includes(t));
  });
  const tier = (c: LicenseChoice) => {
    const id = c.id.toLowerCase();
    return id === whole ? 0 : id.startsWith(whole) ? 1 : 2;
  };
  return hits
    .map((c, index) => ({ c, index }))
    .sort((a, b) => tier(a.c) - tier(b.c) || a.index - b.index)
    .map((h) => h.c);
}

/** Why year or holder can't go into a copyright line, as one sentence, or `null` when both are fine. */
export function copyrightProblem(fields: CopyrightFields): string | null {
  const year = fields.year.trim();
  const holder = fields.holder.trim();
  if (year === '') return 'Enter the copyright year, for example 2026.';
  if (!/^\d{4}(?:\s*[-–,]\s*\d{4})*$/.test(year)) {
    return 'Enter the copyright year as four digits, for example 2026, or a range such as 2019–2026.';
  }
  if (holder === '') return 'Enter the copyright holder: your name or your organisation’s.';
  if (/[\p{Cc}]/u.test(holder)) return 'Write the copyright holder on one line.';
  if ([...holder].length > 200) return 'The copyright holder is too long; keep it under 200 characters.';
  return null;
}

/** The package's text of `id`, verbatim (loads that license's chunk). */
export async function loadLicenseText(id: string): Promise<string> {
  const load = TEXTS[id];
  if (!load) throw new Error(`The text of the license “${id}” is not bundled with the extension.`);
  const module = await load();
  return module.default.licenseText.replace(/\r\n?/g, '\n');
}

/**
 * `text` (the package's text of `id`) with year and holder in its copyright line; unchanged for a
 * license without one. Year and holder are trimmed; check them first with `copyrightProblem`.
 */
export function fillLicense(id: string, text: string, fields: CopyrightFields): string {
  const fills = COPYRIGHT_FILLS[id];
  if (!fills) return text;
  const trimmed = { year: fields.year.trim(), holder: fields.holder.trim() };
  let filled = text;
  for (const [placeholder, replacement] of fills) {
    filled = filled.split(placeholder).join(replacement(trimmed));
  }
  return filled;
}

/**
 * The LICENSE file for the chosen license, ending with a newline; `null` for `NO_LICENSE`.
 * Throws with a sentence for an id the extension has no text for.
 */
export async function licenseFileContent(id: string, fields: CopyrightFields): Promise<string | null> {
  if (id === NO_LICENSE) return null;
  const text = fillLicense(id, await loadLicenseText(id), fields);
  return text.endsWith('\n') ? text : `${text}\n`;
}
