/**
 * Repository names and slugs as Bitbucket Server / Data Center makes and checks them, so the
 * "New repository" form can show the URL a name will get and refuse a bad name before sending it.
 *
 * Sources (../shared/reference/bitbucket/API-NOTES.md §4.3–4.4 and Atlassian's knowledge-base article
 * "What is a repository slug?"):
 * - a slug holds only ASCII letters, digits, `_`, `-` and `.`, in lower case: "My repo" → `my-repo`
 *   (the spec's example pair), "UVAST_final" → `uvast_final` (a real 7.6 page);
 * - accents and compatibility forms are folded to ASCII ("føøbar" → `foobar`);
 * - every other character becomes one `-` each, runs are not collapsed ("foo bar" → `foo-bar`,
 *   "a@b!-#c" → `a-b---c`, unlike Bitbucket Cloud);
 * - a Server slug "can only start with alphanumeric characters", so a name whose slug would not is
 *   refused (inferred: how the server treats such a name is not documented);
 * - names are at most 128 characters, start with a letter or digit and may hold letters, digits,
 *   spaces, hyphens, underscores and periods (Atlassian's "Creating repositories" documentation; the
 *   exact server message is not public, so the sentences here are ours); the server answers a second
 *   repository whose name or slug is already used in the project with 409 ("A repository with same
 *   name already exists." / "This repository URL is already taken.").
 * The simulator implements the same rules on its own (simulator/model.ts `slugify`,
 * simulator/repo-create.ts); a unit test keeps the two in agreement. The server's own slug is the
 * truth: after creating, show the `slug` it returned.
 */

/** The longest repository name the server accepts. */
export const MAX_REPOSITORY_NAME_LENGTH = 128;

/** Latin letters that compatibility decomposition leaves alone, spelled in ASCII. */
const ASCII_LETTERS: Readonly<Record<string, string>> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ð: 'd',
  đ: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŀ: 'l',
};

/**
 * The slug the server derives from `name` (the name is trimmed first, as the form sends it). When it
 * does not start with a letter or digit, `validateRepositoryName` refuses the name.
 */
export function repositorySlug(name: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      // Each character that is not allowed becomes one dash, after accents and ligatures are folded.
      .replace(/[^\0-\x7f]/gu, (c) => ASCII_LETTERS[c] ?? '-')
      .replace(/[^a-z0-9_.-]/g, '-')
  );
}

/** A repository already in the project, to check a new name against. */
export interface ExistingRepository {
  name: string;
  slug: string;
}

/**
 * Why the server would refuse `name`, as one sentence for the form, or `null` when it is fine.
 * `existing` (the project's repositories, e.g. from the local index) adds the name-taken and
 * URL-taken checks; without it only the rules for the name itself apply.
 */
export function validateRepositoryName(
  name: string,
  existing: readonly ExistingRepository[] = [],
): string | null {
  const trimmed = name.trim().normalize('NFC');
  if (trimmed === '') return 'Enter a name for the repository.';
  if (/\p{Cc}/u.test(trimmed)) return 'The name can’t contain line breaks, tabs or other control characters.';
  const length = [...trimmed].length;
  if (length > MAX_REPOSITORY_NAME_LENGTH) {
    return `The name is ${length} characters long; the server allows at most ${MAX_REPOSITORY_NAME_LENGTH}.`;
  }
  if (!/^[\p{L}\p{N}]/u.test(trimmed)) return 'The name must start with a letter or a digit.';
  const bad = [...new Set(trimmed.match(/[^\p{L}\p{M}\p{N} ._-]/gu) ?? [])];
  if (bad.length > 0) {
    const shown = bad
      .slice(0, 5)
      .map((c) =>
        /[\s\p{Cf}]/u.test(c)
          ? `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
          : `“${c}”`,
      )
      .join(' ');
    return `The name can contain only letters, digits, spaces, hyphens (-), underscores (_) and periods (.); remove ${shown}.`;
  }
  const slug = repositorySlug(trimmed);
  if (!/^[a-z0-9]/.test(slug)) {
    return 'The name must start with a letter from A to Z (accents are fine) or a digit: the server builds the repository’s address from it.';
  }
  const lowerName = trimmed.toLowerCase();
  const sameName = existing.find((r) => r.name.trim().toLowerCase() === lowerName);
  if (sameName) return `A repository named “${sameName.name}” already exists in this project.`;
  const sameSlug = existing.find((r) => r.slug === slug);
  if (sameSlug) {
    return `The address “${slug}” is already taken in this project by “${sameSlug.name}”; choose another name.`;
  }
  return null;
}
