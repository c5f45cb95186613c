import { RELEASE_LINES } from './release-table';

export interface ReleaseLine {
  line: string;
  firstRelease: string;
  latestRelease: string;
  latestVersion: string;
  eol?: string;
}

export type VersionSupport =
  | { status: 'supported'; line: string; message?: undefined }
  | { status: 'unknown-newer'; line: string; message?: undefined }
  | { status: 'old'; line: string; message: string }
  | { status: 'invalid'; line: string; message: string };

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Release lines with a release in the last 12 months, counted in calendar months (on 2026-11-25 a
 * release from November 2025 still counts): the ones we support.
 */
export function supportedLines(today: Date, lines: readonly ReleaseLine[] = RELEASE_LINES): ReleaseLine[] {
  const from = `${today.getUTCFullYear() - 1}-${String(today.getUTCMonth() + 1).padStart(2, '0')}-01`;
  return lines.filter((l) => l.latestRelease >= from);
}

/**
 * Whether a server version is supported: every release line with a release in the last 12 months is.
 * Older lines get a warning, not a refusal; lines newer than this table are assumed to work.
 */
export function versionSupport(
  version: string,
  today = new Date(),
  lines: readonly ReleaseLine[] = RELEASE_LINES,
): VersionSupport {
  const match = /^(\d+)\.(\d+)(?:\.\d+)*/.exec(version.trim());
  if (!match) {
    return {
      status: 'invalid',
      line: '',
      message: `The server reports version “${version}”, which isn't a Bitbucket version number; some features may not work.`,
    };
  }
  const line = `${match[1]}.${match[2]}`;
  const supported = supportedLines(today, lines);
  if (supported.some((l) => l.line === line)) return { status: 'supported', line };
  const newest = lines[0];
  if (newest && compareVersions(line, newest.line) > 0) return { status: 'unknown-newer', line };
  const oldest = [...supported].sort((a, b) => compareVersions(a.line, b.line))[0];
  const hint = oldest ? ` The oldest supported line is ${oldest.line}.` : '';
  return {
    status: 'old',
    line,
    message: `Bitbucket ${version} is older than the versions this extension supports (release lines with a release in the last year), so some features may not work.${hint} Ask your administrators about upgrading.`,
  };
}
