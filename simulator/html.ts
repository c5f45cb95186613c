/**
 * Safe HTML building: every interpolated value is escaped unless it is already `SafeHtml`, and data
 * for inline scripts is serialised so that `</script>`, `<!--` or `<` in a name can't break out.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<a href="${url}">${name}</a>\`` escapes `url` and `name`. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Trusted markup, used as is. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Escapes characters that could end a script element or an HTML comment inside a JS literal. */
function scriptSafe(text: string): string {
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** JSON for an inline `<script>`. */
export function scriptJson(value: unknown): SafeHtml {
  return new SafeHtml(scriptSafe(JSON.stringify(value) ?? 'null'));
}

/**
 * An object literal in the style of the server's templates, `{id : 1, active: true, name : "x"}`,
 * with string values escaped for an inline script.
 */
export function scriptObjectLiteral(fields: Array<[string, string | number | boolean]>): SafeHtml {
  const parts = fields.map(([key, value]) => {
    const literal = typeof value === 'string' ? scriptSafe(JSON.stringify(value)) : String(value);
    return `${key} : ${literal}`;
  });
  return new SafeHtml(`{${parts.join(', ')}}`);
}
