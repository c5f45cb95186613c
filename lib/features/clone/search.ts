/**
 * The popup's instant repository search over the local index (tens of thousands of repositories),
 * in memory, pure: no browser API, no database.
 *
 * Matching. Text is compared case- and accent-insensitively (NFD, combining marks removed,
 * lower-cased, and a few letters without a decomposition folded: ß→ss, æ→ae, ø→o, ł→l, …). Each
 * entry is searched as the one text "project key / project name / repo name / slug". The query is
 * split into terms at whitespace and "/" ("PLAT/api", "plat api" and "plat / api" are the same
 * two terms), and an entry matches when every term matches it. A term matches when it is
 *   - a substring of that text, or
 *   - its letters and digits start consecutive words of one field, in order: the term is cut into
 *     pieces, each a prefix of the next word ("pt" → p|t and "ptools" → p|tools find
 *     platform-tools, "plto" → pl|to, "was" → web-app-service). Words are split at anything not a
 *     letter or digit and at camelCase and letter/digit boundaries ("WebApp2" → web, app, 2;
 *     "HTTPServer" → http, server). A run of words may start at any word but does not skip words
 *     ("ws" does not find web-app-service) nor run from one field into the next.
 *
 * Ranking, best first:
 *   1. recent: entries used here (`lastUsedAt`), at most `maxRecent` of them (default 5, so a
 *      long history never hides an exact match), only among entries that match at all; ordered
 *      by how they match, then most recent;
 *   2. exact: the slug is the query (or its terms joined with "-": "platform tools");
 *   3. prefix: the slug or the repository name starts with a term;
 *   4. word: a term matches by word starts (above), a term that is a word's prefix included;
 *   5. substring.
 * With several terms, an entry takes the best class any of its terms reaches. Within a class:
 * most recently used first, then shorter slug, then alphabetical (slug, project key).
 *
 * An empty query returns the recently used entries, most recent first (up to `limit`), and
 * nothing when none was used.
 *
 * Speed (measured by scripts/bench-search.ts). An index build normalises every entry once and
 * lays all of them out as one long text plus flat typed arrays (word boundaries, a bitmask of the
 * letters each entry holds), with no object per entry, in scan order: recently used first, then
 * by slug length (a counting sort, no comparisons). A search is one pass that fills one list per
 * class; once the better classes hold `limit` hits it stops testing for worse classes (still
 * taking ties on slug length, which alphabetical order may put first), and stops altogether when
 * nothing can be taken any more. Substrings are found by one forward indexOf sweep per term; the
 * few hits are then ordered in full.
 */

export interface SearchEntry {
  /** Unique, e.g. profile id + repository id. */
  key: string;
  projectKey: string;
  projectName: string;
  name: string;
  slug: string;
  /** When this repository was last opened or copied from this browser (ms since the epoch). */
  lastUsedAt?: number | undefined;
}

export type MatchClass = 'exact' | 'prefix' | 'word' | 'substring';
export type RankClass = 'recent' | MatchClass;
export type SearchField = 'projectKey' | 'projectName' | 'name' | 'slug';

/** A highlighted part of one field, in UTF-16 offsets of the field's original text. */
export interface MatchRange {
  field: SearchField;
  start: number;
  end: number;
}

export interface SearchHit {
  key: string;
  entry: SearchEntry;
  rank: RankClass;
  /** How the entry matches; absent for the empty query's recently used entries. */
  match?: MatchClass;
  /** Sorted by field, then offset; overlapping ranges merged. */
  ranges: MatchRange[];
}

export interface SearchOptions {
  /** Most hits returned (default 50). */
  limit?: number;
  /** Most entries ranked as recently used (default 5). */
  maxRecent?: number;
}

/**
 * Changes are cheap to record; the next search rebuilds the whole index once (for 100,000
 * entries, about as long as the first build).
 */
export interface SearchIndex {
  readonly size: number;
  search(query: string, options?: SearchOptions): SearchHit[];
  /** Adds entries, or replaces those whose key is already in (e.g. a new `lastUsedAt`). */
  upsert(entries: Iterable<SearchEntry>): void;
  remove(keys: Iterable<string>): void;
  /** Replaces the whole content. */
  replaceAll(entries: Iterable<SearchEntry>): void;
}

export const DEFAULT_LIMIT = 50;
export const DEFAULT_MAX_RECENT = 5;
/** Longer queries are cut; nobody types more, and it bounds the work per keystroke. */
const MAX_QUERY_LENGTH = 200;
const MAX_TERMS = 8;
/** The word-start rule tracks positions in a 32-bit mask: longer terms match as substrings only. */
const MAX_INITIALS_LENGTH = 30;

const FIELDS: readonly SearchField[] = ['projectKey', 'projectName', 'name', 'slug'];
const SEPARATOR = ' / ';

// Rank classes as numbers, best first; NONE is "does not match".
const RECENT = 0;
const EXACT = 1;
const PREFIX = 2;
const WORD = 3;
const SUBSTRING = 4;
const NONE = 5;
const CLASS_NAMES: readonly RankClass[] = ['recent', 'exact', 'prefix', 'word', 'substring'];

// ---------------------------------------------------------------------------------------------
// Normalisation

/** Letters NFD leaves whole that people type without their stroke or as two letters. */
const FOLD: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
  þ: 'th',
};

const COMBINING_MARKS = /\p{M}/gu;
const IS_MARK = /^\p{M}$/u;
const IS_UPPER = /^[\p{Lu}\p{Lt}]$/u;
const IS_LETTER = /^\p{L}$/u;
const IS_DIGIT = /^\p{N}$/u;
const ASCII_ONLY = /^\p{ASCII}*$/u;

/** Non-ASCII characters seen so far, folded and classified (a few hundred distinct in practice). */
const foldCache = new Map<string, string>();
const kindCache = new Map<string, number>();
const CACHE_LIMIT = 4096;

function foldChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 128) return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : ch;
  let out = foldCache.get(ch);
  if (out === undefined) {
    const base = ch.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase();
    out = '';
    for (const c of base) out += FOLD[c] ?? c;
    if (foldCache.size < CACHE_LIMIT) foldCache.set(ch, out);
  }
  return out;
}

/** The form both texts and queries are compared in. */
export function normaliseForSearch(text: string): string {
  if (ASCII_ONLY.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) out += foldChar(ch);
  return out;
}

// Character kinds for word boundaries.
const OTHER = 0;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;
const MARK = 4;

function asciiKind(code: number): number {
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 48 && code <= 57) return DIGIT;
  return OTHER;
}

function unicodeKind(ch: string): number {
  const code = ch.charCodeAt(0);
  if (code < 128) return asciiKind(code);
  let kind = kindCache.get(ch);
  if (kind === undefined) {
    if (IS_MARK.test(ch)) kind = MARK;
    else if (IS_UPPER.test(ch)) kind = UPPER;
    else if (IS_LETTER.test(ch)) kind = LOWER;
    else if (IS_DIGIT.test(ch)) kind = DIGIT;
    else kind = OTHER;
    if (kindCache.size < CACHE_LIMIT) kindCache.set(ch, kind);
  }
  return kind;
}

/** Bit per letter a–z (0–25) and digits folded onto bits 26–31. */
function charBit(code: number): number {
  if (code >= 97 && code <= 122) return 1 << (code - 97);
  if (code >= 48 && code <= 57) return 1 << (26 + ((code - 48) % 6));
  return 0;
}

function isAlnumNormalised(ch: string): boolean {
  const code = ch.charCodeAt(0);
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
  return IS_LETTER.test(ch) || IS_DIGIT.test(ch);
}

// ---------------------------------------------------------------------------------------------
// The scanned form
//
// No object per entry: every entry's normalised text sits in one long string and everything else
// in flat typed arrays, in scan order, so a pass over 100,000 entries reads memory in order and
// a build leaves the garbage collector a handful of large objects instead of 300,000 small ones.

/** Longer fields are cut (Bitbucket's own limits are far below): offsets must fit 16 bits. */
const MAX_FIELD_LENGTH = 1000;
// Each entry's meta, in `Snapshot.meta`: the start of each field in its hay, the index of each
// field's first word and the word count, then each word's start and end.
const META_FIELD = 0;
const META_FIELD_WORD = 4;
const META_WORDS = 9;
/** The most meta one entry can have: a word per character of four clipped fields. */
const MAX_META = META_WORDS + 2 * 4 * MAX_FIELD_LENGTH;

/** Non-ASCII entries only: where each hay character came from in the original fields. */
interface OriginMap {
  /** Offset in the original "key / project / name / slug" of the character that made hay[i], then the end. */
  map: Int32Array;
  /** Start of each field in the original text, then its end + SEPARATOR.length. */
  fieldStart: readonly number[];
}

interface Snapshot {
  /** The entries in scan order. */
  entries: SearchEntry[];
  /**
   * Every hay ("key / project / name / slug", normalised), in scan order, each followed by "\n"
   * (which no query term contains, so no match runs from one entry into the next).
   */
  text: string;
  /** Where each hay starts in `text`; start[n] = text.length. */
  start: Int32Array;
  meta: Uint16Array;
  metaStart: Int32Array;
  /** `charBit` of every letter and digit of the hay. */
  mask: Int32Array;
  /** `charBit` of the first character of every word. */
  initials: Int32Array;
  recentAt: Float64Array;
  /** Entries [0, recentCount) were used here; they come first, fully ordered. */
  recentCount: number;
  /** Normalised slugs, for the alphabetical order. */
  slugs: string[];
  /** Non-decreasing from recentCount on. */
  slugLength: Uint16Array;
  origins: Map<number, OriginMap>;
}

/** The columns of a build, in the order the entries came; `buildSnapshot` then puts them in scan order. */
class Builder {
  readonly hays: string[];
  readonly slugs: string[];
  readonly mask: Int32Array;
  readonly initials: Int32Array;
  readonly hayLength: Int32Array;
  readonly metaStart: Int32Array;
  readonly origins = new Map<number, OriginMap>();
  meta: Uint16Array;
  private used = 0;

  constructor(readonly count: number) {
    this.hays = new Array<string>(count);
    this.slugs = new Array<string>(count);
    this.mask = new Int32Array(count);
    this.initials = new Int32Array(count);
    this.hayLength = new Int32Array(count);
    this.metaStart = new Int32Array(count + 1);
    this.meta = new Uint16Array(Math.max(MAX_META, count * 32));
  }

  add(i: number, entry: SearchEntry): void {
    if (this.meta.length - this.used < MAX_META) {
      const grown = new Uint16Array(this.meta.length * 2);
      grown.set(this.meta.subarray(0, this.used));
      this.meta = grown;
    }
    this.metaStart[i] = this.used;
    const fields = [clip(entry.projectKey), clip(entry.projectName), clip(entry.name), clip(entry.slug)];
    this.used = this.addAscii(i, fields) ?? this.addUnicode(i, fields);
    this.metaStart[i + 1] = this.used;
  }

  /** The common case, ASCII only: the fields as they are, lower-cased (null otherwise). */
  private addAscii(i: number, fields: string[]): number | null {
    const meta = this.meta;
    const base = this.used;
    let n = base + META_WORDS;
    let mask = 0;
    let initials = 0;
    let at = 0;
    for (let f = 0; f < 4; f++) {
      const text = fields[f]!;
      meta[base + META_FIELD + f] = at;
      meta[base + META_FIELD_WORD + f] = (n - base - META_WORDS) / 2;
      let prev = OTHER;
      for (let c = 0; c < text.length; c++) {
        const code = text.charCodeAt(c);
        const kind = ASCII_KIND[code];
        if (kind === undefined) return null;
        if (kind === OTHER) {
          if (prev !== OTHER) meta[n++] = at + c;
          prev = OTHER;
          continue;
        }
        const bit = ASCII_BIT[code]!;
        mask |= bit;
        // startsWord, unrolled: the next character is only read for a capital after a capital.
        let starts = prev === OTHER || (kind === DIGIT) !== (prev === DIGIT);
        if (!starts && kind === UPPER) {
          starts = prev === LOWER || (prev === UPPER && ASCII_KIND[text.charCodeAt(c + 1)] === LOWER);
        }
        if (starts) {
          if (prev !== OTHER) meta[n++] = at + c;
          meta[n++] = at + c;
          initials |= bit;
        }
        prev = kind;
      }
      if (prev !== OTHER) meta[n++] = at + text.length;
      at += text.length + SEPARATOR.length;
    }
    meta[base + META_FIELD_WORD + 4] = (n - base - META_WORDS) / 2;
    // Lower-cased with all the others, in one call on the joined text (see buildSnapshot).
    this.hays[i] = fields.join(SEPARATOR);
    this.hayLength[i] = at - SEPARATOR.length;
    this.slugs[i] = fields[3]!.toLowerCase();
    this.mask[i] = mask;
    this.initials[i] = initials;
    return n;
  }

  /** Any other text: folded character by character, with a map back to the original offsets. */
  private addUnicode(i: number, fields: string[]): number {
    const meta = this.meta;
    const base = this.used;
    let n = base + META_WORDS;
    const map: number[] = [];
    const fieldStart: number[] = [];
    let hay = '';
    let orig = 0;
    let mask = 0;
    let initials = 0;
    for (let f = 0; f < 4; f++) {
      if (f > 0) {
        hay += SEPARATOR;
        for (let k = 0; k < SEPARATOR.length; k++) map.push(orig + k);
        orig += SEPARATOR.length;
      }
      meta[base + META_FIELD + f] = hay.length;
      meta[base + META_FIELD_WORD + f] = (n - base - META_WORDS) / 2;
      fieldStart.push(orig);
      const chars = Array.from(fields[f]!);
      let open = false;
      let prev = OTHER;
      let nextKind = chars.length > 0 ? unicodeKind(chars[0]!) : OTHER;
      for (let c = 0; c < chars.length; c++) {
        const ch = chars[c]!;
        const kind = nextKind;
        nextKind = c + 1 < chars.length ? unicodeKind(chars[c + 1]!) : OTHER;
        if (kind === MARK) {
          // Part of the character before it: no text, no word boundary.
          orig += ch.length;
          continue;
        }
        const folded = foldChar(ch);
        const pos = hay.length;
        if (kind === OTHER) {
          if (open) meta[n++] = pos;
          open = false;
        } else if (folded.length > 0 && (!open || startsWord(prev, kind, nextKind))) {
          if (open) meta[n++] = pos;
          meta[n++] = pos;
          initials |= charBit(folded.charCodeAt(0));
          open = true;
        }
        for (let k = 0; k < folded.length; k++) {
          mask |= charBit(folded.charCodeAt(k));
          map.push(orig);
        }
        hay += folded;
        orig += ch.length;
        prev = kind;
      }
      if (open) meta[n++] = hay.length;
    }
    meta[base + META_FIELD_WORD + 4] = (n - base - META_WORDS) / 2;
    fieldStart.push(orig + SEPARATOR.length);
    map.push(orig);
    this.hays[i] = hay;
    this.hayLength[i] = hay.length;
    this.slugs[i] = hay.slice(meta[base + META_FIELD + 3]);
    this.mask[i] = mask;
    this.initials[i] = initials;
    this.origins.set(i, { map: Int32Array.from(map), fieldStart });
    return n;
  }
}

const clip = (text: string) => (text.length > MAX_FIELD_LENGTH ? text.slice(0, MAX_FIELD_LENGTH) : text);

const ASCII_KIND = new Uint8Array(128);
const ASCII_BIT = new Int32Array(128);
for (let code = 0; code < 128; code++) {
  ASCII_KIND[code] = asciiKind(code);
  ASCII_BIT[code] = charBit(code >= 65 && code <= 90 ? code + 32 : code);
}

/** Whether a letter or digit of kind `kind` after one of kind `prev` begins a new word. */
function startsWord(prev: number, kind: number, next: number): boolean {
  if (prev === OTHER) return true;
  if ((kind === DIGIT) !== (prev === DIGIT)) return true;
  if (kind === UPPER && prev === LOWER) return true;
  // The last capital of a run followed by a small letter: "HTTPServer" → http, server.
  return kind === UPPER && prev === UPPER && next === LOWER;
}

const recentTime = (entry: SearchEntry) =>
  typeof entry.lastUsedAt === 'number' && entry.lastUsedAt > 0 ? entry.lastUsedAt : 0;

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The order within a class: most recently used first (never used last), then shorter slug, then alphabetical. */
function compareEntries(
  recentX: number,
  slugX: string,
  x: SearchEntry,
  recentY: number,
  slugY: string,
  y: SearchEntry,
): number {
  return (
    recentY - recentX ||
    slugX.length - slugY.length ||
    compareText(slugX, slugY) ||
    compareText(x.projectKey, y.projectKey) ||
    compareText(x.key, y.key)
  );
}

/**
 * Entry numbers in scan order: the recently used first, most recent first and fully ordered;
 * then the others by slug length (a counting sort, in the order they came within a length). The
 * rest of the order within a class — alphabetical — is settled among the hits of each search.
 */
function scanOrder(
  slugLength: Uint16Array,
  recentAt: Float64Array,
  compare: (x: number, y: number) => number,
) {
  const n = slugLength.length;
  const order: number[] = [];
  let longest = 0;
  for (let i = 0; i < n; i++) {
    if (recentAt[i]! > 0) order.push(i);
    else if (slugLength[i]! > longest) longest = slugLength[i]!;
  }
  order.sort(compare);
  const recentCount = order.length;
  const firstOfLength = new Int32Array(longest + 2);
  for (let i = 0; i < n; i++) if (recentAt[i] === 0) firstOfLength[slugLength[i]! + 1]!++;
  for (let len = 1; len <= longest + 1; len++) firstOfLength[len]! += firstOfLength[len - 1]!;
  order.length = n;
  for (let i = 0; i < n; i++) {
    if (recentAt[i] === 0) order[recentCount + firstOfLength[slugLength[i]!]!++] = i;
  }
  return { order, recentCount };
}

function buildSnapshot(list: SearchEntry[]): Snapshot {
  const n = list.length;
  const b = new Builder(n);
  const recentAt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    b.add(i, list[i]!);
    recentAt[i] = recentTime(list[i]!);
  }
  const { slugs } = b;
  const slugLengths = new Uint16Array(n);
  for (let i = 0; i < n; i++) slugLengths[i] = slugs[i]!.length;
  const { order, recentCount } = scanOrder(slugLengths, recentAt, (x, y) =>
    compareEntries(recentAt[x]!, slugs[x]!, list[x]!, recentAt[y]!, slugs[y]!, list[y]!),
  );

  const entries = new Array<SearchEntry>(n);
  const hays = new Array<string>(n);
  const start = new Int32Array(n + 1);
  const metaStart = new Int32Array(n + 1);
  const meta = new Uint16Array(b.metaStart[n]!);
  const mask = new Int32Array(n);
  const initials = new Int32Array(n);
  const sortedRecent = new Float64Array(n);
  const sortedSlugs = new Array<string>(n);
  const slugLength = new Uint16Array(n);
  const position = new Int32Array(n);
  let at = 0;
  let metaAt = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    position[i] = k;
    entries[k] = list[i]!;
    hays[k] = b.hays[i]!;
    start[k] = at;
    at += b.hayLength[i]! + 1;
    metaStart[k] = metaAt;
    for (let j = b.metaStart[i]!, end = b.metaStart[i + 1]!; j < end; j++) meta[metaAt++] = b.meta[j]!;
    mask[k] = b.mask[i]!;
    initials[k] = b.initials[i]!;
    sortedRecent[k] = recentAt[i]!;
    sortedSlugs[k] = slugs[i]!;
    slugLength[k] = slugLengths[i]!;
  }
  start[n] = at;
  metaStart[n] = metaAt;
  const origins = new Map<number, OriginMap>();
  for (const [i, origin] of b.origins) origins.set(position[i]!, origin);
  // Lower-casing is idempotent and keeps the length of ASCII text, so one call on the joined text
  // does for every entry (the non-ASCII hays are already folded).
  let text = n > 0 ? `${hays.join('\n')}\n`.toLowerCase() : '';
  if (text.length !== at) text = `${hays.map((h) => h.toLowerCase()).join('\n')}\n`;
  return {
    entries,
    text,
    start,
    meta,
    metaStart,
    mask,
    initials,
    recentAt: sortedRecent,
    recentCount,
    slugs: sortedSlugs,
    slugLength,
    origins,
  };
}

// ---------------------------------------------------------------------------------------------
// Queries

interface Term {
  text: string;
  /** Letters and digits only, for the word-start rule (empty: the rule does not apply). */
  letters: string;
  firstBit: number;
  /** During a pass: the next position in the snapshot's text where `text` occurs. */
  next: number;
}

interface ParsedQuery {
  terms: Term[];
  /** The terms joined with "-": compared with the slug for an exact match. */
  joined: string;
  mask: number;
}

function parseQuery(query: string): ParsedQuery {
  const normalised = normaliseForSearch(query.slice(0, MAX_QUERY_LENGTH));
  const texts = normalised.split(/[\s/]+/u).filter((t) => t.length > 0);
  const unique = [...new Set(texts)].slice(0, MAX_TERMS);
  let mask = 0;
  const terms = unique.map((text): Term => {
    let letters = '';
    for (const ch of text) {
      if (!isAlnumNormalised(ch)) continue;
      letters += ch;
      mask |= charBit(ch.charCodeAt(0));
    }
    if (letters.length > MAX_INITIALS_LENGTH) letters = '';
    return { text, letters, firstBit: letters ? charBit(letters.charCodeAt(0)) : 0, next: -1 };
  });
  return { terms, joined: texts.join('-'), mask };
}

/** Whether `text` holds `t` at `pos`. */
function holdsAt(text: string, pos: number, t: string): boolean {
  for (let i = 0; i < t.length; i++) if (text.charCodeAt(pos + i) !== t.charCodeAt(i)) return false;
  return true;
}

/** How many characters of `t` from `qi` the word [start, end) of `text` begins with. */
function prefixLength(text: string, start: number, end: number, t: string, qi: number): number {
  let len = 0;
  while (start + len < end && qi + len < t.length && text.charCodeAt(start + len) === t.charCodeAt(qi + len))
    len++;
  return len;
}

/**
 * Whether `t` can be cut into pieces that are prefixes of consecutive words of one field, for the
 * hay at `base` in `text` whose meta is at `m` in `meta`. The positions reachable in `t` after
 * each word are the bits of one number, so a field takes one pass over its words.
 */
function matchesInitials(text: string, base: number, meta: Uint16Array, m: number, t: string): boolean {
  const goal = 1 << t.length;
  const first = t.charCodeAt(0);
  for (let f = 0; f < 4; f++) {
    let reached = 0;
    const last = meta[m + META_FIELD_WORD + f + 1]!;
    for (let w = meta[m + META_FIELD_WORD + f]!; w < last; w++) {
      const start = base + meta[m + META_WORDS + 2 * w]!;
      if (reached === 0 && text.charCodeAt(start) !== first) continue;
      const end = base + meta[m + META_WORDS + 2 * w + 1]!;
      let from = reached | 1;
      let next = 0;
      while (from !== 0) {
        const qi = 31 - Math.clz32(from & -from);
        from &= from - 1;
        const len = prefixLength(text, start, end, t, qi);
        if (len > 0) next |= ((1 << len) - 1) << (qi + 1);
      }
      if (next & goal) return true;
      reached = next;
    }
  }
  return false;
}

/** The class entry `i` reaches for one term, not looking for classes worse than `worst`. */
function termClass(s: Snapshot, i: number, term: Term, worst: number): number {
  const { text, meta } = s;
  const t = term.text;
  const len = t.length;
  const base = s.start[i]!;
  const end = s.start[i + 1]! - 1;
  const m = s.metaStart[i]!;
  const slugAt = base + meta[m + META_FIELD + 3]!;
  const slugLen = end - slugAt;
  if (slugLen >= len && holdsAt(text, slugAt, t)) return slugLen === len ? EXACT : PREFIX;
  if (worst <= EXACT) return NONE;
  const nameAt = base + meta[m + META_FIELD + 2]!;
  const nameLen = slugAt - SEPARATOR.length - nameAt;
  if (nameLen >= len && holdsAt(text, nameAt, t)) return PREFIX;
  if (worst <= PREFIX) return NONE;
  if ((s.initials[i]! & term.firstBit) !== 0 && matchesInitials(text, base, meta, m, term.letters))
    return WORD;
  if (worst <= WORD) return NONE;
  // One sweep over the text per term and pass: the cursor only moves forward.
  if (term.next < base) {
    term.next = text.indexOf(t, base);
    if (term.next < 0) term.next = text.length;
  }
  return term.next + len <= end ? SUBSTRING : NONE;
}

function entryClass(s: Snapshot, i: number, q: ParsedQuery, worst: number): number {
  if ((q.mask & ~s.mask[i]!) !== 0) return NONE;
  const { terms } = q;
  if (terms.length === 1) return termClass(s, i, terms[0]!, worst);
  let best = NONE;
  const slugAt = s.start[i]! + s.meta[s.metaStart[i]! + META_FIELD + 3]!;
  const slugLen = s.start[i + 1]! - 1 - slugAt;
  if (slugLen === q.joined.length && holdsAt(s.text, slugAt, q.joined)) best = EXACT;
  for (const term of terms) {
    // Every term must match, so each is tested down to a substring.
    const c = termClass(s, i, term, SUBSTRING);
    if (c === NONE) return NONE;
    if (c < best) best = c;
  }
  return best <= worst ? best : NONE;
}

// ---------------------------------------------------------------------------------------------
// Highlighting (only for the hits returned)

/** One entry of a snapshot, unpacked for highlighting. */
interface Unpacked {
  hay: string;
  meta: Uint16Array;
  origin: OriginMap | undefined;
}

function unpack(s: Snapshot, i: number): Unpacked {
  return {
    hay: s.text.slice(s.start[i]!, s.start[i + 1]! - 1),
    meta: s.meta.subarray(s.metaStart[i]!, s.metaStart[i + 1]!),
    origin: s.origins.get(i),
  };
}

const fieldAt = (u: Unpacked, f: number) =>
  f < 4 ? u.meta[META_FIELD + f]! : u.hay.length + SEPARATOR.length;

function hayRange(u: Unpacked, start: number, end: number, out: MatchRange[]): void {
  if (end <= start) return;
  let f = 0;
  while (f < 3 && start >= fieldAt(u, f + 1)) f++;
  const origin = u.origin;
  if (!origin) {
    out.push({ field: FIELDS[f]!, start: start - fieldAt(u, f), end: end - fieldAt(u, f) });
    return;
  }
  const { map, fieldStart } = origin;
  // The end is where the next character of the original starts (after its combining marks).
  const fieldEnd = fieldAt(u, f + 1) - SEPARATOR.length;
  let origEnd = fieldStart[f + 1]! - SEPARATOR.length;
  for (let j = end; j < fieldEnd; j++) {
    if (map[j]! > map[end - 1]!) {
      origEnd = map[j]!;
      break;
    }
  }
  out.push({ field: FIELDS[f]!, start: map[start]! - fieldStart[f]!, end: origEnd - fieldStart[f]! });
}

/** The pieces of the first word-start match of `t`, added to `out`. */
function initialsRanges(u: Unpacked, t: string, out: MatchRange[]): boolean {
  const { hay, meta } = u;
  const m = t.length;
  const wordStart = (w: number) => meta[META_WORDS + 2 * w]!;
  const prefixLen = (qi: number, w: number) =>
    prefixLength(hay, wordStart(w), meta[META_WORDS + 2 * w + 1]!, t, qi);
  for (let f = 0; f < 4; f++) {
    const first = meta[META_FIELD_WORD + f]!;
    const last = meta[META_FIELD_WORD + f + 1]!;
    const reachedAt: number[] = [];
    let reached = 0;
    for (let w = first; w < last; w++) {
      let next = 0;
      for (let qi = 0; qi < m; qi++) {
        if (qi > 0 && !(reached & (1 << qi))) continue;
        const len = prefixLen(qi, w);
        if (len > 0) next |= ((1 << len) - 1) << (qi + 1);
      }
      reachedAt.push(next);
      reached = next;
      if (!(next & (1 << m))) continue;
      // Walk back from the word that completes the term, ending each piece as late as possible.
      const pieces: Array<[number, number]> = [];
      let pos = m;
      for (let k = w; pos > 0; k--) {
        const before = k > first ? reachedAt[k - 1 - first]! : 0;
        let qi = 0;
        if (prefixLen(0, k) < pos) {
          qi = pos - 1;
          while (qi > 0 && !((before & (1 << qi)) !== 0 && prefixLen(qi, k) >= pos - qi)) qi--;
        }
        pieces.push([wordStart(k), wordStart(k) + pos - qi]);
        pos = qi;
      }
      for (const [s, e] of pieces.reverse()) hayRange(u, s, e, out);
      return true;
    }
  }
  return false;
}

function rangesFor(s: Snapshot, i: number, q: ParsedQuery): MatchRange[] {
  const u = unpack(s, i);
  const out: MatchRange[] = [];
  const { hay } = u;
  const slugAt = fieldAt(u, 3);
  const nameAt = fieldAt(u, 2);
  const nameLen = slugAt - SEPARATOR.length - nameAt;
  const slug = hay.slice(slugAt);
  if (q.terms.length > 1 && slug === q.joined) {
    hayRange(u, slugAt, hay.length, out);
    return out;
  }
  for (const term of q.terms) {
    const t = term.text;
    if (slug.startsWith(t)) {
      hayRange(u, slugAt, slugAt + t.length, out);
    } else if (nameLen >= t.length && hay.startsWith(t, nameAt)) {
      hayRange(u, nameAt, nameAt + t.length, out);
    } else if (!(term.letters && initialsRanges(u, term.letters, out))) {
      const at = hay.indexOf(t);
      if (at >= 0) hayRange(u, at, at + t.length, out);
    }
  }
  return mergeRanges(out);
}

function mergeRanges(ranges: MatchRange[]): MatchRange[] {
  const order = (r: MatchRange) => FIELDS.indexOf(r.field);
  ranges.sort((a, b) => order(a) - order(b) || a.start - b.start || a.end - b.end);
  const merged: MatchRange[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && last.field === r.field && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------
// The index

export function createSearchIndex(entries: Iterable<SearchEntry>): SearchIndex {
  // The entries as given until one is added or removed by key; keys are unique.
  let list: SearchEntry[] = [...entries];
  let byKey: Map<string, SearchEntry> | null = null;
  let snapshot: Snapshot | null = null;
  const keyed = () => {
    byKey ??= new Map(list.map((entry) => [entry.key, entry]));
    snapshot = null;
    return byKey;
  };
  const current = () => {
    if (byKey) {
      list = [...byKey.values()];
      byKey = null;
    }
    snapshot ??= buildSnapshot(list);
    return snapshot;
  };
  current();

  return {
    get size() {
      return byKey ? byKey.size : list.length;
    },
    search(query, options = {}) {
      return runSearch(current(), query, options);
    },
    upsert(more) {
      const map = keyed();
      for (const entry of more) map.set(entry.key, entry);
    },
    remove(keys) {
      const map = keyed();
      for (const key of keys) map.delete(key);
    },
    replaceAll(next) {
      list = [...next];
      byKey = null;
      snapshot = null;
    },
  };
}

function runSearch(s: Snapshot, query: string, options: SearchOptions): SearchHit[] {
  const limit = clampInt(options.limit ?? DEFAULT_LIMIT, 1, 10_000);
  const maxRecent = clampInt(options.maxRecent ?? DEFAULT_MAX_RECENT, 0, 1000);
  const q = parseQuery(query);
  const { entries, recentAt, recentCount, slugLength } = s;
  const n = entries.length;

  if (q.terms.length === 0) {
    const hits: SearchHit[] = [];
    for (let i = 0; i < recentCount && hits.length < limit; i++) {
      hits.push({ key: entries[i]!.key, entry: entries[i]!, rank: 'recent', ranges: [] });
    }
    return hits;
  }

  // One list per class, filled in scan order. Classes from `cap` on can no longer reach the
  // first `limit` hits, except entries of class `cap` with slugs of length `capLength`: they tie
  // on length with hits already found, and may come before them alphabetically. Lengths only
  // grow after the recently used entries, so the pass ends once nothing can be taken any more.
  const buckets: number[][] = [[], [], [], [], []];
  const recentMatch: number[] = [];
  let cap = NONE;
  let capLength = -1;
  const lowerCap = (length: number) => {
    let total = 0;
    for (let k = 0; k < cap; k++) {
      total += buckets[k]!.length;
      if (total >= limit) {
        cap = k;
        capLength = length;
        return;
      }
    }
  };
  for (let i = 0; i < n; i++) {
    if (i < recentCount) {
      // Fully ordered: no ties to wait for.
      if (recentMatch.length < maxRecent) {
        const c = entryClass(s, i, q, SUBSTRING);
        if (c !== NONE) {
          buckets[RECENT]!.push(i);
          recentMatch.push(c);
          lowerCap(-1);
        }
        continue;
      }
      if (cap === RECENT) break;
      const c = entryClass(s, i, q, cap - 1);
      if (c < cap) {
        buckets[c]!.push(i);
        lowerCap(-1);
      }
      continue;
    }
    const length = slugLength[i]!;
    const worst = length === capLength ? cap : cap - 1;
    if (worst < EXACT) break;
    const c = entryClass(s, i, q, worst);
    if (c > worst) continue;
    buckets[c]!.push(i);
    lowerCap(length);
  }

  const compare = (x: number, y: number) =>
    compareEntries(recentAt[x]!, s.slugs[x]!, entries[x]!, recentAt[y]!, s.slugs[y]!, entries[y]!);
  const hits: SearchHit[] = [];
  const hit = (i: number, rank: number, match: number): SearchHit => ({
    key: entries[i]!.key,
    entry: entries[i]!,
    rank: CLASS_NAMES[rank]!,
    match: CLASS_NAMES[match] as MatchClass,
    ranges: rangesFor(s, i, q),
  });
  // Recently used ones by how they match, then most recent first (their scan order).
  const recentHits = buckets[RECENT]!.map((i, at) => ({ i, c: recentMatch[at]! }));
  recentHits.sort((a, b) => a.c - b.c || a.i - b.i);
  for (const { i, c } of recentHits) {
    if (hits.length >= limit) break;
    hits.push(hit(i, RECENT, c));
  }
  for (let cls = EXACT; cls < NONE && hits.length < limit; cls++) {
    for (const i of best(buckets[cls]!, limit - hits.length, compare)) hits.push(hit(i, cls, cls));
  }
  return hits;
}

/** The first `count` of `items` by `compare`, in order (a bounded insertion: `count` is small). */
function best(items: number[], count: number, compare: (x: number, y: number) => number): number[] {
  if (items.length <= count) return items.sort(compare);
  const kept: number[] = [];
  for (const item of items) {
    if (kept.length === count && compare(item, kept[count - 1]!) >= 0) continue;
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(kept[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    kept.splice(lo, 0, item);
    if (kept.length > count) kept.pop();
  }
  return kept;
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return max;
  return Math.min(max, Math.max(min, Math.floor(value)));
}
