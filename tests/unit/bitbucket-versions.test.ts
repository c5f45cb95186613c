import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildReleaseTable,
  DEFAULT_RELEASE_LIST,
  renderReleaseTable,
} from '../../lib/bitbucket/generate-release-table';
import { RELEASE_LINES } from '../../lib/bitbucket/release-table';
import { compareVersions, supportedLines, versionSupport } from '../../lib/bitbucket/versions';

const RELEASES = new URL('../../../shared/reference/bitbucket/releases.json', import.meta.url);
const TODAY = new Date('2026-11-25T12:00:00Z');

describe('supported versions on 2026-11-25', () => {
  it.each([
    ['8.19.29', '8.19'],
    ['9.4.23', '9.4'],
    ['10.0.2', '10.0'],
    ['10.1.5', '10.1'],
    ['10.4.2', '10.4'],
  ])('%s is supported (its line had a release in the last 12 months)', (version, line) => {
    expect(versionSupport(version, TODAY)).toEqual({ status: 'supported', line });
  });

  it('11.0.0, newer than the table, is assumed to work', () => {
    expect(versionSupport('11.0.0', TODAY)).toEqual({
      status: 'unknown-newer',
      line: '11.0',
      message: 'Bitbucket 11.0.0 is newer than this extension knows; it should work.',
    });
  });

  it.each(['8.18.0', '7.21.0', '9.3.5'])(
    '%s is old: a warning naming the oldest supported line',
    (version) => {
      const support = versionSupport(version, TODAY);
      expect(support.status).toBe('old');
      expect(support.message).toMatch(
        new RegExp(
          `^Bitbucket ${version.replaceAll('.', '\\.')} is older than the versions this extension supports`,
        ),
      );
      expect(support.message).toContain('The oldest supported release line is 8.19.');
    },
  );

  it('mentions when Atlassian has ended support for an old line', () => {
    expect(versionSupport('9.3.5', TODAY).message).toContain(
      'Atlassian ended support for 9.3 on 2026-10-29.',
    );
    expect(versionSupport('8.18.0', TODAY).message).not.toContain('Atlassian ended');
  });

  it.each(['banana', '', 'v', '9', 'latest'])('%j is not a version number', (version) => {
    const support = versionSupport(version, TODAY);
    expect(support.status).toBe('invalid');
    expect(support.message).toContain("isn't a Bitbucket version number");
  });

  it('supports exactly 8.19, 9.4 and 10.0–10.4', () => {
    expect(supportedLines(TODAY).map((l) => l.line)).toEqual([
      '10.4',
      '10.3',
      '10.2',
      '10.1',
      '10.0',
      '9.4',
      '8.19',
    ]);
  });

  it('8.19 drops out in the month a year after its last release (2026-03-10)', () => {
    expect(versionSupport('8.19.29', new Date('2027-03-31T00:00:00Z')).status).toBe('supported');
    expect(versionSupport('8.19.29', new Date('2027-04-01T00:00:00Z')).status).toBe('old');
  });

  it('compares version numbers as numbers', () => {
    expect(compareVersions('10.0', '9.4')).toBeGreaterThan(0);
    expect(compareVersions('8.19.2', '8.19.10')).toBeLessThan(0);
    expect(compareVersions('9.4', '9.4.0')).toBe(0);
  });
});

describe('the compiled release table', () => {
  it('matches the published release list', () => {
    const raw: unknown = JSON.parse(readFileSync(RELEASES, 'utf8'));
    expect(RELEASE_LINES).toEqual(buildReleaseTable(raw));
  });

  it('is exactly what the generator writes', () => {
    const raw: unknown = JSON.parse(readFileSync(DEFAULT_RELEASE_LIST, 'utf8'));
    const committed = readFileSync(new URL('../../lib/bitbucket/release-table.ts', import.meta.url), 'utf8');
    expect(committed).toBe(renderReleaseTable(buildReleaseTable(raw)));
  });

  it('holds only dates and end-of-life per line, newest line first', () => {
    expect(RELEASE_LINES[0]).toEqual({ line: '10.4', latestRelease: '2026-08-11', eol: '2028-07-21' });
    expect(RELEASE_LINES.find((l) => l.line === '8.19')).toEqual({
      line: '8.19',
      latestRelease: '2026-03-10',
    });
    for (let i = 1; i < RELEASE_LINES.length; i++) {
      expect(compareVersions(RELEASE_LINES[i - 1]!.line, RELEASE_LINES[i]!.line)).toBeGreaterThan(0);
    }
  });
});
