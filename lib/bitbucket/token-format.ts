/**
 * What a pasted HTTP access token may look like. Bitbucket's tokens are printable ASCII without
 * spaces (base64 text, 44 characters on every current version); anything else was mangled on its
 * way from the token page, and sending it would only earn a misleading answer (an HTTP library
 * refusing the header looks like a network failure; a control character gets an HTTP 400).
 */
import { LIMITS, TOO_LONG } from '../messaging/limits';

export type TokenCheck = { ok: true; token: string } | { ok: false; message: string };

const COPY_AGAIN = 'copy it again from the token page.';

/** Zero-width and other invisible formatting characters that copy-paste brings along. */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** Trims surrounding whitespace and refuses anything that can't be a Bitbucket token. */
export function checkTokenFormat(input: string): TokenCheck {
  const token = input.trim();
  if (!token) return { ok: false, message: 'Paste an HTTP access token first.' };
  if (token.length > LIMITS.token) return { ok: false, message: TOO_LONG.token };
  if (INVISIBLE.test(token)) {
    return {
      ok: false,
      message: `That token contains an invisible character (such as a zero-width space): ${COPY_AGAIN}`,
    };
  }
  if (CONTROL.test(token)) {
    return {
      ok: false,
      message: `That token contains a control character (such as a line break or tab): ${COPY_AGAIN}`,
    };
  }
  if (/\s/u.test(token)) return { ok: false, message: `That token contains spaces: ${COPY_AGAIN}` };
  if (/[^\x21-\x7e]/u.test(token)) {
    return {
      ok: false,
      message: `That token contains characters no Bitbucket token has (letters with accents, symbols or emoji): ${COPY_AGAIN}`,
    };
  }
  return { ok: true, token };
}

/**
 * Whether text pasted as a server address is really a token: base64 that decodes to Bitbucket's
 * `<numeric id>:<secret>` shape, or a long first part mixing upper case, lower case and digits with
 * no dot (host names are typed in one case), or characters no host name has (`+`, `=`). Host names
 * without a dot (`bitbucket`, `git-server-01`) and IP literals don't match.
 */
export function looksLikeToken(text: string): boolean {
  const bare = text
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '');
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(bare)) return false;
  if (decodesToTokenShape(bare)) return true;
  const first = bare.split('/')[0] ?? '';
  if (/[+=]/.test(first)) return true;
  return first.length >= 16 && /[A-Z]/.test(first) && /[a-z]/.test(first) && /\d/.test(first);
}

function decodesToTokenShape(text: string): boolean {
  try {
    const decoded = atob(text.replace(/-/g, '+').replace(/_/g, '/').slice(0, 24));
    return /^\d{6,}:/.test(decoded);
  } catch {
    return false;
  }
}
