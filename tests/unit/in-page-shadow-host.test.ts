import { parseHTML } from 'linkedom';
import { describe, expect, it, vi } from 'vitest';
import { attachStyledShadow, followPageColorMode, pageColorMode } from '../../lib/ui/in-page/shadow-host';
import { watchPageDom } from '../../lib/ui/in-page/watch-page';

function page(htmlAttributes = '') {
  const { document } = parseHTML(
    `<!doctype html><html${htmlAttributes}><head></head><body><main></main></body></html>`,
  );
  return document as unknown as Document;
}

/** Lets the DOM's mutation observers run. */
const observed = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('an in-page control’s shadow host', () => {
  it('takes the page’s colour mode, light where the page sets none', () => {
    expect(pageColorMode(page())).toBe('light');
    expect(pageColorMode(page(' data-color-mode="dark"'))).toBe('dark');
    expect(pageColorMode(page(' data-color-mode="auto"'))).toBe('auto');
  });

  it('follows the page switching between light and dark, until it stops following', async () => {
    const doc = page(' data-color-mode="light"');
    const host = doc.createElement('bsc-test-host');
    doc.body.append(host);
    const stop = followPageColorMode(doc, host);
    expect(host.getAttribute('data-color-mode')).toBe('light');
    doc.documentElement.setAttribute('data-color-mode', 'dark');
    await observed();
    expect(host.getAttribute('data-color-mode')).toBe('dark');
    doc.documentElement.removeAttribute('data-color-mode');
    await observed();
    expect(host.getAttribute('data-color-mode')).toBe('light');
    stop();
    doc.documentElement.setAttribute('data-color-mode', 'dark');
    await observed();
    expect(host.getAttribute('data-color-mode')).toBe('light');
  });

  it('holds one stylesheet, first, with the control’s own rules in it', () => {
    const doc = page();
    const host = doc.createElement('bsc-test-host');
    doc.body.append(host);
    const shadow = attachStyledShadow(host, '.bsc-own { color: var(--bsc-text); }');
    shadow.append(doc.createElement('button'));
    const styles = shadow.querySelectorAll('style');
    expect(styles).toHaveLength(1);
    expect(shadow.firstChild).toBe(styles[0]);
    expect(styles[0]!.textContent).toContain('.bsc-own { color: var(--bsc-text); }');
  });
});

describe('watching the page’s DOM', () => {
  it('calls back after elements are added or removed anywhere in the body, and not once stopped', async () => {
    const doc = page();
    const onChange = vi.fn();
    const stop = watchPageDom(doc, onChange);
    doc.querySelector('main')!.append(doc.createElement('div'));
    await observed();
    expect(onChange).toHaveBeenCalledTimes(1);
    doc.querySelector('main > div')!.remove();
    await observed();
    expect(onChange).toHaveBeenCalledTimes(2);
    stop();
    doc.body.append(doc.createElement('section'));
    await observed();
    expect(onChange).toHaveBeenCalledTimes(2);
  });
});
