/**
 * The `.gitignore` of a new repository: a curated set of templates written for this project
 * (lib/features/create-repo/templates/, bundled so it works on networks without internet access),
 * a search over them, and one file combined from several.
 *
 * The templates are a lazy chunk: only `loadGitignoreTemplates()` imports them, so a module that
 * imports this one (the form) pulls in this small logic and never the template texts.
 *
 * Interface for the form:
 * ```ts
 * const templates = await loadGitignoreTemplates();          // catalogue order, grouped by kind
 * const shown = searchGitignoreTemplates(templates, query);  // '' → all, in catalogue order
 * const text = combineGitignore(templates, selectedIds);     // '' when nothing is selected
 * ```
 */

/** What a template is for; the form may group the list by it (labels in `GITIGNORE_KIND_LABELS`). */
export type GitignoreKind = 'language' | 'tool' | 'editor' | 'os';

export const GITIGNORE_KIND_LABELS: Readonly<Record<GitignoreKind, string>> = {
  language: 'Languages and runtimes',
  tool: 'Frameworks and build tools',
  editor: 'Editors and IDEs',
  os: 'Operating systems',
};

export interface GitignoreTemplate {
  /** Stable id, lower-case (`node`, `dotnet`, `macos`): keep it in settings or tests. */
  id: string;
  /** Shown in the list and in the part's header in the file. */
  name: string;
  kind: GitignoreKind;
  /** Other words users search for (`npm`, `c#`, `intellij`). */
  keywords: readonly string[];
  /** The rules, one per line; `#` comment lines label groups of rules, blank lines separate them. */
  body: string;
}

/** The file name in the repository. */
export const GITIGNORE_FILE_NAME = '.gitignore';

let loading: Promise<readonly GitignoreTemplate[]> | undefined;

/** The catalogue, loaded once (a lazy chunk); languages first, then tools, editors, systems. */
export function loadGitignoreTemplates(): Promise<readonly GitignoreTemplate[]> {
  loading ??= import('./templates/index').then(
    (m) => m.GITIGNORE_TEMPLATES,
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

/**
 * 0 exact, 1 start of the text or of a word in it, 2 anywhere; a keyword match counts half a rank
 * less than the same match in the name or id. Undefined when absent.
 */
function termRank(term: string, names: readonly string[], keywords: readonly string[]): number | undefined {
  let best: number | undefined;
  const consider = (text: string, penalty: number) => {
    let rank: number | undefined;
    if (text === term) rank = 0;
    else if (text.startsWith(term) || text.split(/[\s/()]+/).some((word) => word.startsWith(term))) rank = 1;
    else if (text.includes(term)) rank = 2;
    if (rank !== undefined && (best === undefined || rank + penalty < best)) best = rank + penalty;
  };
  for (const text of names) consider(text, 0);
  for (const text of keywords) consider(text, 0.5);
  return best;
}

/**
 * The templates whose name, id or keywords contain every term of `query` (split at spaces; case and
 * accents ignored), best first: exact name/keyword matches, then word starts, then substrings; ties
 * in catalogue order. An empty query gives the whole catalogue.
 */
export function searchGitignoreTemplates(
  templates: readonly GitignoreTemplate[],
  query: string,
): GitignoreTemplate[] {
  const terms = fold(query).split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [...templates];
  const whole = terms.join(' ');
  const scored: { template: GitignoreTemplate; score: number; index: number }[] = [];
  templates.forEach((template, index) => {
    const names = [template.name, template.id].map(fold);
    const keywords = template.keywords.map(fold);
    let score = names.includes(whole) ? -1 : keywords.includes(whole) ? -0.5 : 0;
    for (const term of terms) {
      const rank = termRank(term, names, keywords);
      if (rank === undefined) return;
      score += rank;
    }
    scored.push({ template, score, index });
  });
  return scored.sort((a, b) => a.score - b.score || a.index - b.index).map((s) => s.template);
}

/** A run of comment lines and the rules after them, up to a blank line or the next comment. */
interface Block {
  comments: string[];
  rules: string[];
}

function blocks(body: string): Block[] {
  const result: Block[] = [];
  let current: Block | undefined;
  for (const raw of body.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line === '') {
      current = undefined;
    } else if (line.startsWith('#')) {
      if (!current || current.rules.length > 0) {
        current = { comments: [], rules: [] };
        result.push(current);
      }
      current.comments.push(line);
    } else {
      if (!current) {
        current = { comments: [], rules: [] };
        result.push(current);
      }
      current.rules.push(line);
    }
  }
  return result;
}

/**
 * One `.gitignore` from the selected templates: in catalogue order (whatever order they were picked
 * in), each part under a `# ── Name ──` header, parts separated by a blank line.
 *
 * No rule appears twice: a rule already written by an earlier part (or earlier in the same part) is
 * left out, unless a rule of the opposite sense (`!…` against a plain rule) came in between, because
 * then the repeat changes what is ignored. A comment stays with its rules and goes when all of them
 * were left out; a part left with no rule says so under its header. Trailing spaces are trimmed and
 * the file ends with one newline. Unknown ids are ignored; nothing selected gives `''`.
 */
export function combineGitignore(
  templates: readonly GitignoreTemplate[],
  selectedIds: Iterable<string>,
): string {
  const wanted = new Set(selectedIds);
  const chosen = templates.filter((t) => wanted.has(t.id));
  /** Index of each rule's last written occurrence. */
  const lastWritten = new Map<string, number>();
  let lastNegation = -1;
  let lastPlain = -1;
  let written = 0;
  const parts: string[] = [];
  for (const template of chosen) {
    const lines: string[] = [`# ── ${template.name} ──`];
    let kept = 0;
    for (const block of blocks(template.body)) {
      const rules: string[] = [];
      for (const rule of block.rules) {
        const negation = rule.startsWith('!');
        const previous = lastWritten.get(rule);
        const oppositeSince = negation ? lastPlain : lastNegation;
        if (previous !== undefined && oppositeSince < previous) continue;
        lastWritten.set(rule, written);
        if (negation) lastNegation = written;
        else lastPlain = written;
        written += 1;
        rules.push(rule);
      }
      if (rules.length === 0 && block.rules.length > 0) continue;
      if (lines.length > 1 && block.comments.length > 0) lines.push('');
      lines.push(...block.comments, ...rules);
      kept += rules.length;
    }
    if (kept === 0) lines.push('# Every rule of this template is already above.');
    parts.push(lines.join('\n'));
  }
  return parts.length === 0 ? '' : `${parts.join('\n\n')}\n`;
}
