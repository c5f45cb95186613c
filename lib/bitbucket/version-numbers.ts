/** Reading and comparing Bitbucket version numbers (no release data: the generator uses this too). */

/** Compares dotted version numbers numerically (`10.0` > `9.4`); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const difference = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** `9.4.23` → `9.4`; null when it doesn't read as a version number. */
export function releaseLineOf(version: string): string | null {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)*(?:[-+.][0-9A-Za-z.-]*)?$/.exec(version.trim());
  return match ? `${Number(match[1])}.${Number(match[2])}` : null;
}
