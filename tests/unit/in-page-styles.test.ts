import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The `--bsc-*` custom properties of the first rule for `selector`, values with whitespace folded. */
function tokens(css: string, selector: string): Map<string, string> {
  const start = css.indexOf(`${selector} {`);
  expect(start, `${selector} rule`).toBeGreaterThanOrEqual(0);
  const body = css.slice(start, css.indexOf('\n}', start));
  const found = new Map<string, string>();
  for (const match of body.matchAll(/(--bsc-[a-z-]+):\s*([^;]+);/g)) {
    found.set(match[1]!, match[2]!.replace(/\s+/g, ' ').trim());
  }
  return found;
}

const theme = tokens(readFileSync('lib/ui/theme.css', 'utf8'), ':root');
const controlsCss = readFileSync('lib/features/clone/in-page/controls.css', 'utf8');
const controls = tokens(controlsCss, ':host');

describe('the in-page controls’ styles', () => {
  it('use the extension’s colours and font stack: every token theme.css also defines has its value', () => {
    const shared = [...controls.keys()].filter((name) => theme.has(name));
    expect(shared).toEqual(
      expect.arrayContaining(['--bsc-font', '--bsc-text', '--bsc-bg', '--bsc-border', '--bsc-focus']),
    );
    for (const name of shared) expect(controls.get(name), name).toBe(theme.get(name));
  });
  it('give every colour for light and dark in one light-dark() and follow the page’s scheme on the host', () => {
    for (const [name, value] of controls) {
      if (/#|rgba?\(/.test(value) && name !== '--bsc-focus') expect(value, name).toMatch(/^light-dark\(/);
    }
    expect(controlsCss).toContain(':host([data-color-mode="dark"]) {\n  color-scheme: dark;');
    expect(controlsCss).toMatch(/:host \{[^}]*font-size: 14px;/);
  });
});
