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
/** The part every in-page control's stylesheet starts with (lib/ui/in-page/shadow-host.ts). */
const hostCss = readFileSync('lib/ui/in-page/host.css', 'utf8');
const controls = tokens(hostCss, ':host');

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
    expect(hostCss).toContain(':host([data-color-mode="dark"]) {\n  color-scheme: dark;');
    expect(hostCss).toMatch(/:host \{[^}]*font-size: 14px;/);
  });
  it('are set on each control: its own stylesheet names no colour of its own, only the shared --bsc-* ones', () => {
    for (const file of [
      'lib/features/clone/in-page/controls.css',
      'lib/features/pull-requests/in-page/create-pr-button.css',
      'lib/features/keys/in-page/add-key-button.css',
    ]) {
      const own = readFileSync(file, 'utf8');
      expect(own.replace(/\/\*[\s\S]*?\*\//g, ''), file).not.toMatch(
        /#[0-9a-f]{3,8}\b|rgba?\(|--bsc-[a-z-]+:/i,
      );
      for (const used of own.matchAll(/var\((--bsc-[a-z-]+)\)/g))
        expect(controls.has(used[1]!), `${file}: ${used[1]}`).toBe(true);
    }
  });
});
