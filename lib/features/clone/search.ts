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
 * Speed. Each entry's normalised text, word boundaries and a bitmask of the letters it contains
 * are computed once. Entries are kept sorted by the within-class order, so one pass fills one
 * list per class already in order; once the better classes hold `limit` hits, the pass stops
 * testing for worse classes, and stops altogether when the best class is full.
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

export interface SearchIndex {
  readonly size: number;
  search(query: string, options?: SearchOptions): SearchHit[];
  /** Adds entries, or replaces those whose key is already in (e.g. a new `lastUsedAt`). */
  upsert(entries: Iterable<SearchEntry>): void;
  remove(keys: Iterable<string>): void;
  /** Replaces the whole content; entries whose texts did not change are not normalised again. */
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
// Prepared entries

/** Longer fields are cut (Bitbucket's own limits are far below): offsets must fit in a char code. */
const MAX_FIELD_LENGTH = 1000;
// Layout of `Prepared.meta`, one char code per number: the start of each field in the hay, the
// index of each field's first word and the word count, then each word's start and end.
const META_FIELD = 0;
const META_FIELD_WORD = 4;
const META_WORDS = 9;

interface Prepared {
  entry: SearchEntry;
  /** Normalised "key / project / name / slug". */
  hay: string;
  meta: string;
  /** `charBit` of every letter and digit in `hay`. */
  mask: number;
  /** `charBit` of the first character of every word. */
  initials: number;
  /** Non-ASCII texts only: original offset of the character that produced hay[i], then the end. */
  map: Int32Array | null;
  /** Start of each field in the original text, when it differs from the hay's. */
  origFieldStart: readonly number[] | null;
  /** Normalised slug. */
  slug: string;
  recentAt: number;
}

function sameTexts(a: SearchEntry, b: SearchEntry): boolean {
  return (
    a.projectKey === b.projectKey && a.projectName === b.projectName && a.name === b.name && a.slug === b.slug
  );
}

const recentTime = (entry: SearchEntry) =>
  typeof entry.lastUsedAt === 'number' && entry.lastUsedAt > 0 ? entry.lastUsedAt : 0;

const clip = (text: string) => (text.length > MAX_FIELD_LENGTH ? text.slice(0, MAX_FIELD_LENGTH) : text);

/** Reused by every `prepare` call: the meta being built. */
const scratch: number[] = [];

const ASCII_KIND = new Uint8Array(128);
const ASCII_BIT = new Int32Array(128);
for (let code = 0; code < 128; code++) {
  ASCII_KIND[code] = asciiKind(code);
  ASCII_BIT[code] = charBit(code >= 65 && code <= 90 ? code + 32 : code);
}

function prepare(entry: SearchEntry): Prepared {
  const fields = [clip(entry.projectKey), clip(entry.projectName), clip(entry.name), clip(entry.slug)];
  return prepareAscii(entry, fields) ?? prepareUnicode(entry, fields);
}

function makePrepared(
  entry: SearchEntry,
  hay: string,
  meta: string,
  mask: number,
  initials: number,
  map: Int32Array | null,
  origFieldStart: readonly number[] | null,
  slug: string,
  recentAt: number,
): Prepared {
  // One literal, one property order: every prepared entry has the same shape.
  return { entry, hay, meta, mask, initials, map, origFieldStart, slug, recentAt };
}

/**
 * The common case, ASCII only (otherwise null): the fields as they are, lower-cased. The hay is
 * left as a concatenation, flattened once when the scanned text is joined.
 */
function prepareAscii(entry: SearchEntry, fields: string[]): Prepared | null {
  scratch.length = META_WORDS;
  let mask = 0;
  let initials = 0;
  let at = 0;
  for (let f = 0; f < 4; f++) {
    const text = fields[f]!;
    scratch[META_FIELD + f] = at;
    scratch[META_FIELD_WORD + f] = (scratch.length - META_WORDS) / 2;
    let open = false;
    let prev = OTHER;
    let code = text.charCodeAt(0);
    let kind = text.length > 0 ? ASCII_KIND[code] : OTHER;
    if (kind === undefined) return null;
    for (let i = 0; i < text.length; i++) {
      const nextCode = text.charCodeAt(i + 1);
      const next = i + 1 < text.length ? ASCII_KIND[nextCode] : OTHER;
      if (next === undefined) return null;
      if (kind === OTHER) {
        if (open) scratch.push(at + i);
        open = false;
      } else {
        const bit = ASCII_BIT[code]!;
        mask |= bit;
        if (!open || startsWord(prev, kind, next)) {
          if (open) scratch.push(at + i);
          scratch.push(at + i);
          initials |= bit;
          open = true;
        }
      }
      prev = kind;
      kind = next;
      code = nextCode;
    }
    if (open) scratch.push(at + text.length);
    at += text.length + SEPARATOR.length;
  }
  scratch[META_FIELD_WORD + 4] = (scratch.length - META_WORDS) / 2;
  const slug = fields[3]!.toLowerCase();
  const hay = `${fields[0]!.toLowerCase()}${SEPARATOR}${fields[1]!.toLowerCase()}${SEPARATOR}${fields[2]!.toLowerCase()}${SEPARATOR}${slug}`;
  const meta = String.fromCharCode.apply(null, scratch);
  return makePrepared(entry, hay, meta, mask, initials, null, null, slug, recentTime(entry));
}

/** Any other text: folded character by character, with a map back to the original offsets. */
function prepareUnicode(entry: SearchEntry, fields: string[]): Prepared {
  scratch.length = META_WORDS;
  const map: number[] = [];
  const origFieldStart: number[] = [];
  let hay = '';
  let orig = 0;
  let mask = 0;
  let initials = 0;
  for (let f = 0; f < 4; f++) {
    if (f > 0) {
      hay += SEPARATOR;
      for (let i = 0; i < SEPARATOR.length; i++) map.push(orig + i);
      orig += SEPARATOR.length;
    }
    scratch[META_FIELD + f] = hay.length;
    scratch[META_FIELD_WORD + f] = (scratch.length - META_WORDS) / 2;
    origFieldStart.push(orig);
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
        if (open) scratch.push(pos);
        open = false;
      } else if (folded.length > 0 && (!open || startsWord(prev, kind, nextKind))) {
        if (open) scratch.push(pos);
        scratch.push(pos);
        initials |= charBit(folded.charCodeAt(0));
        open = true;
      }
      for (let i = 0; i < folded.length; i++) {
        mask |= charBit(folded.charCodeAt(i));
        map.push(orig);
      }
      hay += folded;
      orig += ch.length;
      prev = kind;
    }
    if (open) scratch.push(hay.length);
  }
  scratch[META_FIELD_WORD + 4] = (scratch.length - META_WORDS) / 2;
  origFieldStart.push(orig + SEPARATOR.length);
  map.push(orig);
  const meta = String.fromCharCode.apply(null, scratch);
  const slug = hay.slice(scratch[META_FIELD + 3]);
  return makePrepared(
    entry,
    hay,
    meta,
    mask,
    initials,
    Int32Array.from(map),
    origFieldStart,
    slug,
    recentTime(entry),
  );
}

/**
 * The prepared form of an entry whose texts did not change: the same object when its place in
 * the scan order is the same too (it then only points at the newer entry object).
 */
function withEntry(old: Prepared, entry: SearchEntry): Prepared {
  const recentAt = recentTime(entry);
  if (recentAt === old.recentAt) {
    old.entry = entry;
    return old;
  }
  return makePrepared(
    entry,
    old.hay,
    old.meta,
    old.mask,
    old.initials,
    old.map,
    old.origFieldStart,
    old.slug,
    recentAt,
  );
}

/** Whether a letter or digit of kind `kind` after one of kind `prev` begins a new word. */
function startsWord(prev: number, kind: number, next: number): boolean {
  if (prev === OTHER) return true;
  if ((kind === DIGIT) !== (prev === DIGIT)) return true;
  if (kind === UPPER && prev === LOWER) return true;
  // The last capital of a run followed by a small letter: "HTTPServer" → http, server.
  return kind === UPPER && prev === UPPER && next === LOWER;
}

// ---------------------------------------------------------------------------------------------
// Scan order: most recently used first (never used last), then shorter slug, then alphabetical
// (slug, then project key, then key).

function compareScanOrder(a: Prepared, b: Prepared): number {
  if (a.recentAt !== b.recentAt) return b.recentAt - a.recentAt;
  if (a.slug.length !== b.slug.length) return a.slug.length - b.slug.length;
  if (a.slug !== b.slug) return a.slug < b.slug ? -1 : 1;
  return compareSameSlug(a, b);
}

function compareSameSlug(a: Prepared, b: Prepared): number {
  const ak = a.entry.projectKey;
  const bk = b.entry.projectKey;
  if (ak !== bk) return ak < bk ? -1 : 1;
  return a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0;
}

/** Positions packed beside a key in one double: lists this long or longer use the comparator. */
const POSITION_SPAN = 2 ** 20;
/** Characters compared per round: 4 × 8 bits, plus 20 bits of position, fit a double exactly. */
const CHARS_PER_ROUND = 4;
/** Below this, a comparator sort is as fast. */
const SMALL = 12;

/**
 * `list` in scan order. A comparator sort of 100,000 entries would take most of an index build,
 * so the entries never used here (nearly all) are sorted in rounds of native number sorts: by
 * slug length, then four characters at a time, each round only within the groups the round
 * before left tied. Small groups, identical slugs and unusual ones (very long, or with a
 * character from U+00FF up) go to the comparator.
 */
function sortScanOrder(list: Prepared[]): Prepared[] {
  const recent: Prepared[] = [];
  const rest: Prepared[] = [];
  for (const p of list) (p.recentAt > 0 ? recent : rest).push(p);
  const out = recent.sort(compareScanOrder);
  const byLength =
    rest.length < POSITION_SPAN ? sortedGroups(rest, (p) => Math.min(p.slug.length, 255)) : null;
  if (!byLength) {
    for (const p of rest.sort(compareScanOrder)) out.push(p);
    return out;
  }
  for (const group of byLength) sortSameLength(group, 0, out);
  return out;
}

/** Entries with slugs of one length, equal in their first `offset` characters, in order onto `out`. */
function sortSameLength(group: Prepared[], offset: number, out: Prepared[]): void {
  if (group.length === 1) {
    out.push(group[0]!);
    return;
  }
  const length = group[0]!.slug.length;
  const groups =
    group.length >= SMALL && length < 255 && offset < length
      ? sortedGroups(group, (p) => pack(p.slug, offset))
      : null;
  if (groups) {
    for (const next of groups) sortSameLength(next, offset + CHARS_PER_ROUND, out);
    return;
  }
  group.sort(offset >= length ? compareSameSlug : compareScanOrder);
  for (const p of group) out.push(p);
}

/** Four characters from `offset` as one number, or -1 when one is U+00FF or above. */
function pack(slug: string, offset: number): number {
  let key = 0;
  for (let i = offset; i < offset + CHARS_PER_ROUND; i++) {
    const code = i < slug.length ? slug.charCodeAt(i) : 0;
    if (code >= 255) return -1;
    key = key * 256 + code;
  }
  return key;
}

/** `items` in groups of equal `keyOf` (below 2^32), groups in key order; null if a key is -1. */
function sortedGroups(items: Prepared[], keyOf: (p: Prepared) => number): Prepared[][] | null {
  const keys = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const key = keyOf(items[i]!);
    if (key < 0) return null;
    keys[i] = key * POSITION_SPAN + i;
  }
  keys.sort();
  const groups: Prepared[][] = [];
  let last = -1;
  let group: Prepared[] = [];
  for (let i = 0; i < keys.length; i++) {
    const packed = keys[i]!;
    const key = Math.floor(packed / POSITION_SPAN);
    if (key !== last) {
      group = [];
      groups.push(group);
      last = key;
    }
    group.push(items[packed - key * POSITION_SPAN]!);
  }
  return groups;
}

/** Two lists already in scan order, as one. */
function mergeSorted(a: Prepared[], b: Prepared[]): Prepared[] {
  const out: Prepared[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compareScanOrder(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The scanned form: every entry in scan order, side by side in flat arrays and two long strings,
// so a pass over 100,000 entries reads memory in order instead of chasing 100,000 objects.

interface Snapshot {
  list: Prepared[];
  /** Every hay, in scan order, each followed by "\n" (which no query term contains). */
  text: string;
  /** Where each hay starts in `text`; start[n] = text.length. */
  start: Int32Array;
  /** Every meta, in scan order. */
  meta: string;
  metaStart: Int32Array;
  mask: Int32Array;
  initials: Int32Array;
  recent: Uint8Array;
}

function snapshotOf(list: Prepared[]): Snapshot {
  const n = list.length;
  const start = new Int32Array(n + 1);
  const metaStart = new Int32Array(n + 1);
  const mask = new Int32Array(n);
  const initials = new Int32Array(n);
  const recent = new Uint8Array(n);
  const hays: string[] = new Array(n);
  const metas: string[] = new Array(n);
  let at = 0;
  let metaAt = 0;
  for (let i = 0; i < n; i++) {
    const p = list[i]!;
    start[i] = at;
    metaStart[i] = metaAt;
    at += p.hay.length + 1;
    metaAt += p.meta.length;
    hays[i] = p.hay;
    metas[i] = p.meta;
    mask[i] = p.mask;
    initials[i] = p.initials;
    recent[i] = p.recentAt > 0 ? 1 : 0;
  }
  start[n] = at;
  metaStart[n] = metaAt;
  return {
    list,
    text: n > 0 ? `${hays.join('\n')}\n` : '',
    start,
    meta: metas.join(''),
    metaStart,
    mask,
    initials,
    recent,
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

/**
 * Whether `t` can be cut into pieces that are prefixes of consecutive words of one field, for the
 * hay at `base` in `text` whose meta is at `metaBase` in `meta`. The positions reachable in `t`
 * after each word are the bits of one number, so a field takes one pass over its words.
 */
function matchesInitials(text: string, base: number, meta: string, metaBase: number, t: string): boolean {
  const m = t.length;
  const goal = 1 << m;
  const first = t.charCodeAt(0);
  for (let f = 0; f < 4; f++) {
    let reached = 0;
    const end = meta.charCodeAt(metaBase + META_FIELD_WORD + f + 1);
    for (let w = meta.charCodeAt(metaBase + META_FIELD_WORD + f); w < end; w++) {
      const start = base + meta.charCodeAt(metaBase + META_WORDS + 2 * w);
      if (reached === 0 && text.charCodeAt(start) !== first) continue;
      const wordLen = base + meta.charCodeAt(metaBase + META_WORDS + 2 * w + 1) - start;
      let from = reached | 1;
      let next = 0;
      while (from !== 0) {
        const qi = 31 - Math.clz32(from & -from);
        from &= from - 1;
        let len = 0;
        while (len < wordLen && qi + len < m && text.charCodeAt(start + len) === t.charCodeAt(qi + len))
          len++;
        if (len > 0) next |= ((1 << len) - 1) << (qi + 1);
      }
      if (next & goal) return true;
      reached = next;
    }
  }
  return false;
}

/** The class entry `i` of the snapshot reaches for one term, not looking for classes worse than `worst`. */
function termClass(s: Snapshot, i: number, term: Term, worst: number): number {
  const { text, meta } = s;
  const t = term.text;
  const len = t.length;
  const base = s.start[i]!;
  const end = s.start[i + 1]! - 1;
  const metaBase = s.metaStart[i]!;
  const slugAt = base + meta.charCodeAt(metaBase + META_FIELD + 3);
  const slugLen = end - slugAt;
  if (slugLen >= len && holdsAt(text, slugAt, t)) return slugLen === len ? EXACT : PREFIX;
  if (worst <= EXACT) return NONE;
  const nameAt = base + meta.charCodeAt(metaBase + META_FIELD + 2);
  const nameLen = slugAt - SEPARATOR.length - nameAt;
  if (nameLen >= len && holdsAt(text, nameAt, t)) return PREFIX;
  if (worst <= PREFIX) return NONE;
  if ((s.initials[i]! & term.firstBit) !== 0 && matchesInitials(text, base, meta, metaBase, term.letters)) {
    return WORD;
  }
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
  const slugAt = s.start[i]! + s.meta.charCodeAt(s.metaStart[i]! + META_FIELD + 3);
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

function fieldOf(p: Prepared, pos: number): number {
  let f = 0;
  while (f < 3 && pos >= p.meta.charCodeAt(META_FIELD + f + 1)) f++;
  return f;
}

function fieldEnd(p: Prepared, f: number): number {
  return f < 3 ? p.meta.charCodeAt(META_FIELD + f + 1) - SEPARATOR.length : p.hay.length;
}

function hayRange(p: Prepared, start: number, end: number, out: MatchRange[]): void {
  if (end <= start) return;
  const f = fieldOf(p, start);
  const fieldAt = p.meta.charCodeAt(META_FIELD + f);
  const { map, origFieldStart } = p;
  if (!map || !origFieldStart) {
    out.push({ field: FIELDS[f]!, start: start - fieldAt, end: end - fieldAt });
    return;
  }
  const origAt = origFieldStart[f]!;
  // The end is where the next character of the original starts (after its combining marks).
  const last = map[end - 1]!;
  let origStop = origFieldStart[f + 1]! - SEPARATOR.length;
  for (let j = end; j < fieldEnd(p, f); j++) {
    if (map[j]! > last) {
      origStop = map[j]!;
      break;
    }
  }
  out.push({ field: FIELDS[f]!, start: map[start]! - origAt, end: origStop - origAt });
}

/** The pieces of the first word-start match of `t`, added to `out`. */
function initialsRanges(p: Prepared, t: string, out: MatchRange[]): boolean {
  const { hay, meta } = p;
  const m = t.length;
  const wordStart = (w: number) => meta.charCodeAt(META_WORDS + 2 * w);
  const prefixLen = (qi: number, w: number) => {
    const start = wordStart(w);
    const wordLen = meta.charCodeAt(META_WORDS + 2 * w + 1) - start;
    let len = 0;
    while (len < wordLen && qi + len < m && hay.charCodeAt(start + len) === t.charCodeAt(qi + len)) len++;
    return len;
  };
  for (let f = 0; f < 4; f++) {
    const first = meta.charCodeAt(META_FIELD_WORD + f);
    const end = meta.charCodeAt(META_FIELD_WORD + f + 1);
    const reachedAt: number[] = [];
    let reached = 0;
    for (let w = first; w < end; w++) {
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
      for (const [s, e] of pieces.reverse()) hayRange(p, s, e, out);
      return true;
    }
  }
  return false;
}

function rangesFor(p: Prepared, q: ParsedQuery): MatchRange[] {
  const out: MatchRange[] = [];
  const { hay } = p;
  const slugAt = p.meta.charCodeAt(META_FIELD + 3);
  const nameAt = p.meta.charCodeAt(META_FIELD + 2);
  const nameLen = slugAt - SEPARATOR.length - nameAt;
  if (q.terms.length > 1 && p.slug === q.joined) {
    hayRange(p, slugAt, hay.length, out);
    return out;
  }
  for (const term of q.terms) {
    const t = term.text;
    if (p.slug.startsWith(t)) {
      hayRange(p, slugAt, slugAt + t.length, out);
    } else if (nameLen >= t.length && hay.startsWith(t, nameAt)) {
      hayRange(p, nameAt, nameAt + t.length, out);
    } else if (!(term.letters && initialsRanges(p, term.letters, out))) {
      const at = hay.indexOf(t);
      if (at >= 0) hayRange(p, at, at + t.length, out);
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
  let byKey = new Map<string, Prepared>();
  let snapshot: Snapshot | null = null;
  /** The last snapshot's order: when few entries changed, the next one merges them into it. */
  let lastOrder: Prepared[] = [];
  /** Prepared objects made since the last snapshot. */
  let fresh: Prepared[] = [];

  const prepared = (entry: SearchEntry, reuse: Map<string, Prepared>) => {
    const old = reuse.get(entry.key);
    const p = old && sameTexts(old.entry, entry) ? withEntry(old, entry) : prepare(entry);
    if (p !== old) fresh.push(p);
    return p;
  };
  const load = (list: Iterable<SearchEntry>) => {
    const next = new Map<string, Prepared>();
    for (const entry of list) next.set(entry.key, prepared(entry, byKey));
    byKey = next;
    snapshot = null;
  };
  const current = () => {
    if (snapshot) return snapshot;
    const live = (p: Prepared) => byKey.get(p.entry.key) === p;
    const order =
      lastOrder.length > 0 && fresh.length * 4 < byKey.size
        ? mergeSorted(lastOrder.filter(live), sortScanOrder(fresh.filter(live)))
        : sortScanOrder([...byKey.values()]);
    fresh = [];
    lastOrder = order;
    snapshot = snapshotOf(order);
    return snapshot;
  };

  load(entries);
  current();

  return {
    get size() {
      return byKey.size;
    },
    search(query, options = {}) {
      return runSearch(current(), query, options);
    },
    upsert(list) {
      for (const entry of list) byKey.set(entry.key, prepared(entry, byKey));
      snapshot = null;
    },
    remove(keys) {
      for (const key of keys) byKey.delete(key);
      snapshot = null;
    },
    replaceAll: load,
  };
}

function runSearch(s: Snapshot, query: string, options: SearchOptions): SearchHit[] {
  const limit = clampInt(options.limit ?? DEFAULT_LIMIT, 1, 10_000);
  const maxRecent = clampInt(options.maxRecent ?? DEFAULT_MAX_RECENT, 0, 1000);
  const q = parseQuery(query);
  const { list, recent } = s;
  const n = list.length;

  if (q.terms.length === 0) {
    const hits: SearchHit[] = [];
    for (let i = 0; i < n && recent[i] === 1 && hits.length < limit; i++) {
      hits.push({ key: list[i]!.entry.key, entry: list[i]!.entry, rank: 'recent', ranges: [] });
    }
    return hits;
  }

  // One list per class, each filled in scan order, which is the order within a class. The
  // recently used entries come first in that order, so the recent class is complete once the
  // pass has left them (or holds maxRecent).
  const buckets: number[][] = [[], [], [], [], []];
  const recentMatch: number[] = [];
  // Classes from `cap` on can no longer reach the first `limit` hits.
  let cap = NONE;
  const lowerCap = () => {
    let total = 0;
    for (let k = 0; k < cap; k++) {
      total += buckets[k]!.length;
      if (total >= limit) {
        cap = k;
        return;
      }
    }
  };
  for (let i = 0; i < n; i++) {
    if (recent[i] === 1 && recentMatch.length < maxRecent) {
      const c = entryClass(s, i, q, SUBSTRING);
      if (c !== NONE) {
        buckets[RECENT]!.push(i);
        recentMatch.push(c);
        lowerCap();
      }
      continue;
    }
    if (cap === RECENT) break;
    const c = entryClass(s, i, q, cap - 1);
    if (c >= cap) continue;
    buckets[c]!.push(i);
    lowerCap();
  }

  // Recently used ones by how they match, then most recent first (their scan order).
  const recentHits = buckets[RECENT]!.map((i, at) => ({ i, c: recentMatch[at]! }));
  recentHits.sort((a, b) => a.c - b.c || a.i - b.i);

  const hits: SearchHit[] = [];
  for (const { i, c } of recentHits) {
    if (hits.length >= limit) break;
    hits.push(makeHit(list[i]!, q, RECENT, c));
  }
  for (let cls = EXACT; cls < NONE && hits.length < limit; cls++) {
    for (const i of buckets[cls]!) {
      if (hits.length >= limit) break;
      hits.push(makeHit(list[i]!, q, cls, cls));
    }
  }
  return hits;
}

function makeHit(p: Prepared, q: ParsedQuery, rank: number, match: number): SearchHit {
  return {
    key: p.entry.key,
    entry: p.entry,
    rank: CLASS_NAMES[rank]!,
    match: CLASS_NAMES[match] as MatchClass,
    ranges: rangesFor(p, q),
  };
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return max;
  return Math.min(max, Math.max(min, Math.floor(value)));
}
