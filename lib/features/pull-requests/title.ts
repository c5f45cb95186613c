/** The title a new pull request starts with, before the user writes one. */

/**
 * `feature/rate-limit` → "Rate limit": the last part of the branch name, its dashes and underscores
 * as spaces, capitalised. (A branch with a single commit to merge takes that commit's subject instead.)
 */
export function titleFromBranch(branch: string): string {
  const last = branch.split('/').filter(Boolean).pop() ?? branch;
  const words = last.replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : branch.trim();
}
