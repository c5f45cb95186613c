import { RELEASE_LINES } from './release-table';
import { compareVersions, releaseLineOf } from './version-numbers';

export { compareVersions, releaseLineOf };

/** One release line (major.minor) of Bitbucket Data Center. */
export interface ReleaseLine {
  line: string;
  /** Date (YYYY-MM-DD) of the line's latest release. */
  latestRelease: string;
  /** End of life (YYYY-MM-DD), where Atlassian published one. */
  eol?: string;
}

export interface VersionSupport {
  status: 'supported' | 'old' | 'unknown-newer' | 'invalid';
  /** major.minor, or '' when the version can't be read. */
  line: string;
  /** A sentence for the user when there is something to say. */
  message?: string;
}

/** HTTP access tokens arrived in Bitbucket Server 5.5: nothing older can be used with a token. */
export const MINIMUM_VERSION = '5.5';

/**
 * The release lines we support on `today`: those with a release in the 12 months before it,
 * counted in calendar months (on 2026-11-25, a release from any day of November 2025 counts).
 */
export function supportedLines(today: Date, lines: readonly ReleaseLine[] = RELEASE_LINES): ReleaseLine[] {
  const from = `${today.getUTCFullYear() - 1}-${String(today.getUTCMonth() + 1).padStart(2, '0')}-01`;
  return lines.filter((line) => line.latestRelease >= from);
}

/**
 * Whether this extension supports a server version. Old lines get a warning, never a refusal
 * (refusing is left to the caller, for versions below MINIMUM_VERSION); lines newer than the
 * table are assumed to work.
 */
export function versionSupport(
  version: string,
  today: Date = new Date(),
  lines: readonly ReleaseLine[] = RELEASE_LINES,
): VersionSupport {
  const line = releaseLineOf(version);
  if (!line) {
    return {
      status: 'invalid',
      line: '',
      message: `The server reports version “${version}”, which isn't a Bitbucket version number, so some features may not work.`,
    };
  }
  const supported = supportedLines(today, lines);
  if (supported.some((l) => l.line === line)) return { status: 'supported', line };

  const newest = lines.reduce<string | undefined>(
    (max, l) => (max === undefined || compareVersions(l.line, max) > 0 ? l.line : max),
    undefined,
  );
  const oldest = supported.reduce<string | undefined>(
    (min, l) => (min === undefined || compareVersions(l.line, min) < 0 ? l.line : min),
    undefined,
  );
  const known = lines.find((l) => l.line === line);
  if (
    (newest !== undefined && compareVersions(line, newest) > 0) ||
    (!known && oldest !== undefined && compareVersions(line, oldest) > 0)
  ) {
    return {
      status: 'unknown-newer',
      line,
      message: `Bitbucket ${version} is newer than this extension knows; it should work.`,
    };
  }
  const ended =
    known?.eol && known.eol <= isoDate(today) ? ` Atlassian ended support for ${line} on ${known.eol}.` : '';
  const floor = oldest ? ` The oldest supported release line is ${oldest}.` : '';
  return {
    status: 'old',
    line,
    message: `Bitbucket ${version} is older than the versions this extension supports, so some features may not work.${floor}${ended} Ask your Bitbucket administrators about upgrading.`,
  };
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
