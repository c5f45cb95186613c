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

import { normaliseForSearch } from '../clone/search';

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
  return normaliseForSearch(text).trim();
}

const WORD_SPLIT = /[\s/()]+/;

/**
 * How well `term` matches one of `texts`: 0 the whole text, 0.25 a whole word of it, 1 the start of
 * the text or of a word, 2 anywhere; undefined when absent.
 */
function termRank(term: string, texts: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const text of texts) {
    const words = text.split(WORD_SPLIT);
    let rank: number | undefined;
    if (text === term) rank = 0;
    else if (words.includes(term)) rank = 0.25;
    else if (text.startsWith(term) || words.some((word) => word.startsWith(term))) rank = 1;
    else if (text.includes(term)) rank = 2;
    if (rank !== undefined && (best === undefined || rank < best)) best = rank;
  }
  return best;
}

/**
 * The templates whose name, id or keywords contain every term of `query` (split at spaces; case and
 * accents ignored), best first: the query as the name (or a word of it), then as a keyword, then by
 * how well each term matches (whole, word start, anywhere; a keyword match counts half a rank less
 * than one in the name); ties in catalogue order. An empty query gives the whole catalogue.
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
    const wholeInName = termRank(whole, names);
    let score = wholeInName !== undefined && wholeInName < 1 ? -1 : keywords.includes(whole) ? -0.5 : 0;
    for (const term of terms) {
      const inName = termRank(term, names);
      const inKeywords = termRank(term, keywords);
      const rank = Math.min(inName ?? Infinity, (inKeywords ?? Infinity) + 0.5);
      if (rank === Infinity) return;
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

/** The last segment of a rule (what a path's last component must match), without `!` and a trailing `/`. */
function lastSegment(rule: string): string {
  const pattern = rule.replace(/^!/, '').replace(/\/+$/, '');
  return pattern.slice(pattern.lastIndexOf('/') + 1);
}

const GLOB = /[*?[\\]/;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A glob segment as a regular expression (`*`, `?`, `[…]`, `[!…]`, `\x`), for one path component. */
function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '\\' && i + 1 < segment.length) source += escapeRegExp(segment[++i]!);
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) source += '\\[';
      else {
        const body = segment
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = end;
      }
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}

/** The plain text a glob segment's matches must start and end with. */
function literalEnds(segment: string): { head: string; tail: string } {
  const first = segment.search(/[*?[\\]/);
  let last = -1;
  for (let i = 0; i < segment.length; i++) if ('*?]'.includes(segment[i]!)) last = i;
  return { head: segment.slice(0, first), tail: segment.slice(last + 1) };
}

const compatible = (a: string, b: string, at: 'start' | 'end') =>
  at === 'start' ? a.startsWith(b) || b.startsWith(a) : a.endsWith(b) || b.endsWith(a);

/**
 * Whether some path could match both rules. Decided on their last segments: two plain names overlap
 * only when equal, a plain name and a glob when the glob matches the name, two globs unless their
 * plain starts or ends can't agree (`*.suo` and `*.code-snippets` never match one name); otherwise
 * they are taken to overlap, the safe answer.
 */
function mayOverlap(a: string, b: string): boolean {
  const x = lastSegment(a);
  const y = lastSegment(b);
  const xGlob = GLOB.test(x);
  const yGlob = GLOB.test(y);
  if (!xGlob && !yGlob) return x === y;
  if (!xGlob || !yGlob) return xGlob ? segmentRegExp(x).test(y) : segmentRegExp(y).test(x);
  const ex = literalEnds(x);
  const ey = literalEnds(y);
  return compatible(ex.head, ey.head, 'start') && compatible(ex.tail, ey.tail, 'end');
}

/**
 * One `.gitignore` from the selected templates: in catalogue order (whatever order they were picked
 * in), each part under a `# ── Name ──` header, parts separated by a blank line.
 *
 * No rule appears twice: a rule already written by an earlier part (or earlier in the same part) is
 * left out, unless a rule of the opposite sense (`!…` against a plain rule) that may match the same
 * paths came in between, because then the repeat changes what is ignored (the last matching rule
 * wins in git). A comment stays with its rules and goes when all of them were left out; a part left
 * with no rule says so under its header. Trailing spaces are trimmed and the file ends with one
 * newline. Unknown ids are ignored; nothing selected gives `''`.
 */
export function combineGitignore(
  templates: readonly GitignoreTemplate[],
  selectedIds: Iterable<string>,
): string {
  const wanted = new Set(selectedIds);
  const chosen = templates.filter((t) => wanted.has(t.id));
  /** Every rule written so far, in order. */
  const written: string[] = [];
  const lastWritten = new Map<string, number>();
  const isRepeat = (rule: string): boolean => {
    const previous = lastWritten.get(rule);
    if (previous === undefined) return false;
    const negation = rule.startsWith('!');
    for (let i = previous + 1; i < written.length; i++) {
      const other = written[i]!;
      if (other.startsWith('!') !== negation && mayOverlap(rule, other)) return false;
    }
    return true;
  };
  const parts: string[] = [];
  for (const template of chosen) {
    const lines: string[] = [`# ── ${template.name} ──`];
    let kept = 0;
    for (const block of blocks(template.body)) {
      const rules: string[] = [];
      for (const rule of block.rules) {
        if (isRepeat(rule)) continue;
        lastWritten.set(rule, written.length);
        written.push(rule);
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
