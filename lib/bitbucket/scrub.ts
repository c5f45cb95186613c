/**
 * Removing the token from text a server sent. Servers sometimes echo request headers in their
 * messages, and not always as sent: URL-encoded (`Bearer%20MTAw…`), lower- or upper-cased, or
 * base64-encoded (a proxy's Basic credentials). Whatever the form, no 12-character part of the
 * token may reach a message, a log or the database.
 */

/** A part of the token this long (in any of its forms) is removed; shorter parts reveal nothing useful. */
export const TOKEN_PART_LENGTH = 12;

/** What a removed part of the token is replaced with. */
export const TOKEN_PLACEHOLDER = '[token]';

/**
 * Text whose characters each remember where in the original they came from, so that a match found
 * in decoded text can be cut out of the text as it came.
 */
interface View {
  text: string;
  /** For each character of `text`: where it begins in the original, and where it ends (exclusive). */
  from: number[];
  to: number[];
}

const identity = (text: string): View => ({
  text,
  from: Array.from(text, (_, i) => i),
  to: Array.from(text, (_, i) => i + 1),
});

/** `%XX` decoded (one byte per escape, which is all an ASCII token needs), every other character kept. */
function percentDecoded(view: View): View {
  const { text } = view;
  if (!text.includes('%')) return view;
  const out: View = { text: '', from: [], to: [] };
  let decoded = '';
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '%' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      decoded += String.fromCharCode(Number.parseInt(hex, 16));
      out.from.push(view.from[i]!);
      out.to.push(view.to[i + 2]!);
      i += 2;
    } else {
      decoded += text[i];
      out.from.push(view.from[i]!);
      out.to.push(view.to[i]!);
    }
  }
  out.text = decoded;
  return out;
}

/** ASCII letters lower-cased, one character for one, so positions stay put. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

const BASE64_CHARS = /[A-Za-z0-9+/=_-]/;

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Base64 of the token as it appears inside a longer encoded text: the token can start at any of the
 * three byte positions of a 3-byte group, and only the characters of groups wholly inside it are
 * its own. Standard and URL-safe alphabets.
 */
function base64Forms(token: string): string[] {
  const bytes = new TextEncoder().encode(token);
  const forms: string[] = [];
  for (let skip = 0; skip < 3; skip++) {
    const whole = bytes.subarray(skip, skip + Math.floor((bytes.length - skip) / 3) * 3);
    if (whole.length === 0) continue;
    const encoded = base64(whole);
    forms.push(encoded, encoded.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Every part of `text` of the given length. */
function parts(text: string, length: number): string[] {
  return Array.from({ length: Math.max(0, text.length - length + 1) }, (_, i) => text.slice(i, i + length));
}

/**
 * A scrubber for one token: `scrub(text)` returns the text with every part of the token 12
 * characters long or more replaced by "[token]", in any of these forms, matched without regard to
 * case: as is, percent-encoded (once or twice), base64 (standard or URL-safe, at any alignment). A
 * base64 match takes the whole run of base64 characters around it, so the 1–2 characters that mix
 * the token with its neighbours go too.
 *
 * A token shorter than 12 characters (no Bitbucket token is: they have 44) is removed whole, as is
 * or percent-encoded, where it stands as a word of its own: inside words it would take ordinary text.
 */
export function tokenScrubber(token: string | undefined): (text: string) => string {
  if (!token) return (text) => text;
  const short = token.length < TOKEN_PART_LENGTH;
  const length = short ? token.length : TOKEN_PART_LENGTH;
  const plain = new Set(parts(asciiLower(token), length));
  const encoded = new Set(short ? [] : base64Forms(token).flatMap((form) => parts(asciiLower(form), length)));
  const standsAlone = (text: string, start: number, end: number) =>
    !BASE64_CHARS.test(text[start - 1] ?? ' ') && !BASE64_CHARS.test(text[end] ?? ' ');

  return (text: string) => {
    if (text.length < length) return text;
    const view = percentDecoded(percentDecoded(identity(text)));
    const lower = asciiLower(view.text);
    /** Spans of `view.text` to remove, [start, end). */
    const spans: Array<[number, number]> = [];
    for (const [set, widen] of [
      [plain, false],
      [encoded, true],
    ] as const) {
      for (let i = 0; i + length <= lower.length; i++) {
        if (!set.has(lower.slice(i, i + length))) continue;
        if (short && !standsAlone(view.text, i, i + length)) continue;
        let start = i;
        let end = i + length;
        if (widen) {
          while (start > 0 && BASE64_CHARS.test(view.text[start - 1]!)) start--;
          while (end < view.text.length && BASE64_CHARS.test(view.text[end]!)) end++;
        }
        spans.push([start, end]);
      }
    }
    if (spans.length === 0) return text;

    spans.sort((a, b) => a[0] - b[0]);
    let result = '';
    let copied = 0;
    let current: [number, number] | undefined;
    const cut = ([start, end]: [number, number]) => {
      result += text.slice(copied, view.from[start]) + TOKEN_PLACEHOLDER;
      copied = view.to[end - 1]!;
    };
    for (const span of spans) {
      if (current && span[0] <= current[1]) current[1] = Math.max(current[1], span[1]);
      else {
        if (current) cut(current);
        current = [...span];
      }
    }
    if (current) cut(current);
    return result + text.slice(copied);
  };
}

/** `text` without any form of `token` (see tokenScrubber). */
export function scrubToken(text: string, token: string | undefined): string {
  return tokenScrubber(token)(text);
}
