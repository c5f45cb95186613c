/**
 * What every in-page control of the Companion does with its shadow host: a shadow root holding the
 * control's stylesheet (the page's CSS can't reach in, ours can't leak out), and the host following
 * the page's light or dark theme, which the stylesheets read as `:host([data-color-mode=…])`
 * (host.css). Used by "Open in…"/"Remotes", "Create pull request" and "Add key from Companion".
 */
import hostCss from './host.css?inline';

/** The page's colour mode: Bitbucket 8.16+ sets data-color-mode on <html>; older ones are light. */
export function pageColorMode(doc: Document): string {
  return doc.documentElement.getAttribute('data-color-mode') ?? 'light';
}

/**
 * Keeps `host`'s data-color-mode equal to the page's, now and whenever the page switches theme.
 * Returns the function that stops following.
 */
export function followPageColorMode(doc: Document, host: HTMLElement): () => void {
  const sync = () => {
    host.dataset.colorMode = pageColorMode(doc);
  };
  sync();
  const View = doc.defaultView;
  const observer = View?.MutationObserver ? new View.MutationObserver(sync) : undefined;
  observer?.observe(doc.documentElement, { attributes: true, attributeFilter: ['data-color-mode'] });
  return () => observer?.disconnect();
}

/**
 * Opens a shadow root on `host` whose first child is the control's stylesheet: host.css (the
 * colours, font, scheme and corner every control shares), then `sheets`, the control's own, in order.
 */
export function attachStyledShadow(host: HTMLElement, ...sheets: string[]): ShadowRoot {
  const shadow = host.attachShadow({ mode: 'open' });
  const style = host.ownerDocument.createElement('style');
  style.textContent = [hostCss, ...sheets].join('\n');
  shadow.append(style);
  return shadow;
}
