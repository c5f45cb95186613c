/** The file name of the optional README in a new repository's first commit. */
export const README_FILE_NAME = 'README.md';

/**
 * The optional README of a new repository: `# <name>`, then the description as its own paragraph
 * when there is one. Surrounding whitespace is trimmed; line breaks inside the description are
 * kept (Windows line ends become `\n`). Ends with one newline.
 */
export function readmeContent(name: string, description = ''): string {
  const title = name.trim().replace(/\s+/g, ' ');
  const body = description.replace(/\r\n?/g, '\n').trim();
  return body ? `# ${title}\n\n${body}\n` : `# ${title}\n`;
}
