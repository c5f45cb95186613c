import { CONTENT_SCRIPT_TYPES, type RequestType } from './protocol';

export interface SenderInfo {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number };
  frameId?: number;
}

export type SenderVerdict =
  | { allowed: true; from: 'extension-page' }
  | { allowed: true; from: 'content-script'; origin: string; tabId: number; url: string }
  | { allowed: false; reason: string };

/**
 * Extension pages that do one job and never use the public protocol: the offscreen document runs
 * the passphrase crypto and the first-commit pushes for the service worker over their own channels,
 * and nothing more.
 */
const PAGES_WITHOUT_PROTOCOL = ['/offscreen.html'];

/** Whether a message comes from one of this extension's own pages (popup, options). */
export function isExtensionPage(
  sender: SenderInfo,
  ctx: { extensionId: string; extensionOrigin: string },
): boolean {
  const url = sender.url ?? '';
  if (sender.id !== ctx.extensionId || !url.startsWith(`${ctx.extensionOrigin}/`)) return false;
  const path = url.slice(ctx.extensionOrigin.length).replace(/[?#].*$/, '');
  return !PAGES_WITHOUT_PROTOCOL.includes(path);
}

/**
 * Who may send what. Extension pages (popup, options) may send every type. A content script may
 * send only its few types, only from a top frame of an origin that has a connected profile.
 */
export function checkSender(
  type: RequestType,
  sender: SenderInfo,
  ctx: { extensionId: string; extensionOrigin: string; connectedOrigins: ReadonlySet<string> },
): SenderVerdict {
  if (sender.id !== ctx.extensionId) return { allowed: false, reason: 'message from another extension' };
  const url = sender.url ?? '';
  if (isExtensionPage(sender, ctx)) return { allowed: true, from: 'extension-page' };
  if (!sender.tab || typeof sender.tab.id !== 'number') return { allowed: false, reason: 'no tab' };
  if (sender.frameId !== undefined && sender.frameId !== 0) return { allowed: false, reason: 'sub-frame' };
  let origin: string;
  try {
    origin = sender.origin ?? new URL(url).origin;
  } catch {
    return { allowed: false, reason: 'unparsable sender URL' };
  }
  if (!ctx.connectedOrigins.has(origin)) return { allowed: false, reason: 'origin not connected' };
  if (!CONTENT_SCRIPT_TYPES.has(type))
    return { allowed: false, reason: `content scripts may not send ${type}` };
  return { allowed: true, from: 'content-script', origin, tabId: sender.tab.id, url };
}
