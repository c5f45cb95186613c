/**
 * Keeps exactly one "Add key from Companion" on a keys page, in the right place: right after the
 * page's own Add key action when there is one, else floating. The real page's markup is not public
 * and may be drawn by scripts after the content script runs, or drawn again later: one observer
 * checks after each batch of DOM changes and rebuilds the button where it belongs (never while it
 * is adding a key; what its status line says is kept).
 */
import { watchPageDom } from '../../../ui/in-page/watch-page';
import { type AddKeyButton, type AddKeyDeps, findAddKeyAnchor, mountAddKeyButton } from './add-key-button';
import type { KeyKind } from './page-session';

export interface AddKeyKeeper {
  readonly button: AddKeyButton;
  stop(): void;
}

function inPlace(button: AddKeyButton, anchor: Element | null): boolean {
  if (!button.host.isConnected) return false;
  if (button.placement === 'floating') return anchor === null;
  if (!anchor) return false;
  for (let next = anchor.nextElementSibling; next; next = next.nextElementSibling) {
    if (next === button.host) return true;
  }
  return false;
}

export function keepAddKeyButton(
  doc: Document,
  page: { kind: KeyKind; baseUrl: string },
  deps: AddKeyDeps,
): AddKeyKeeper {
  let button = mountAddKeyButton(doc, page, deps);

  const check = () => {
    if (button.busy || inPlace(button, findAddKeyAnchor(doc, page.kind))) return;
    const said = button.status;
    button.destroy();
    // A pending install was taken care of by the first button.
    button = mountAddKeyButton(doc, page, deps, { finishPending: false });
    if (said && said.tone !== 'busy') button.say(said.text, said.tone);
  };

  const stopWatching = watchPageDom(doc, check);

  return {
    get button() {
      return button;
    },
    stop() {
      stopWatching();
      button.destroy();
    },
  };
}
