/**
 * Handing a URL to a desktop app and putting text on the clipboard, both straight from the user's
 * click: browsers ask "Open <app>?" and allow clipboard writes only while the page has the user's
 * activation, so nothing here waits for anything before acting.
 */

/**
 * Opens an app URL (`vscode://…`) as a link the user clicked would: the page stays, the browser
 * asks whether to open the app. Bitbucket's own "Clone in Sourcetree" button is such a link.
 */
export function launchUrl(doc: Document, url: string, container: ParentNode & Node = doc.body): void {
  const link = doc.createElement('a');
  link.href = url;
  link.rel = 'noopener noreferrer';
  link.hidden = true;
  container.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
  }
}

/**
 * Writes text to the clipboard. The asynchronous clipboard needs a secure context (many Bitbucket
 * servers are plain http on an intranet); elsewhere a selected, invisible textarea is copied.
 */
export async function copyText(
  doc: Document,
  text: string,
  container: ParentNode & Node = doc.body,
): Promise<boolean> {
  const clipboard = doc.defaultView?.navigator.clipboard;
  if (clipboard && doc.defaultView?.isSecureContext) {
    try {
      await clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no focus, policy): try the older way below.
    }
  }
  const area = doc.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  area.style.pointerEvents = 'none';
  container.appendChild(area);
  const focused = (container.getRootNode() as Document | ShadowRoot).activeElement as HTMLElement | null;
  try {
    area.select();
    return doc.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
    focused?.focus?.();
  }
}
