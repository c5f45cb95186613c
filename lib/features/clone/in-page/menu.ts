/**
 * A menu button's menu for the in-page controls, in plain DOM inside our shadow root, built the
 * first time it opens. It follows the WAI-ARIA menu button pattern: Enter, Space or ↓ on the button
 * opens it on the first item (↑ on the last), ↑/↓/Home/End move, Esc closes it and puts focus back
 * on the button, Tab closes it and moves on. It is shown in the top layer (popover), so no page
 * container clips it and no z-index of the page covers it.
 */

export interface MenuItem {
  kind: 'item';
  label: string;
  /** A second, quieter line (a command, a URL). */
  detail?: string;
  /** Why it can't be used; the item stays focusable and says so. */
  disabled?: string;
  onSelect(event: Event): void;
}

/** A sentence in place of items (nothing to show, an error, a state): focusable, so it is read. */
export interface MenuNote {
  kind: 'note';
  text: string;
  tone?: 'info' | 'warning' | 'busy';
}

export interface MenuSection {
  label?: string;
  entries: Array<MenuItem | MenuNote>;
  /** Short labels side by side in columns (↑/↓ still go through them in order). */
  columns?: boolean;
}

export interface MenuContent {
  sections: MenuSection[];
  /** Small print below the items (how HTTPS signs in, where the defaults are set). */
  footer?: string[];
}

export interface MenuOptions {
  /** The button that opens the menu (aria-haspopup, aria-expanded are set here). */
  trigger: HTMLElement;
  /** Where the menu element goes: our shadow root or a container in it. */
  container: ParentNode & Node;
  /** The element events outside of which close the menu (our shadow host). */
  host: Element;
  label: string;
  /** Open below the button (sidebar) or above it (floating button in the page's corner). */
  placement: 'below' | 'above';
  content(): MenuContent;
  /** Only trusted (user) events select an item; tests of a DOM without them turn this off. */
  trustedOnly?: boolean;
}

let menuCount = 0;

const ITEM_SELECTOR = '[role="menuitem"]';

export class Menu {
  readonly element: HTMLElement;
  private readonly options: MenuOptions;
  private readonly doc: Document;
  private opened = false;
  private built = false;
  private detach: Array<() => void> = [];

  constructor(options: MenuOptions) {
    this.options = options;
    this.doc = options.trigger.ownerDocument;
    const id = `bsc-menu-${++menuCount}`;
    this.element = this.doc.createElement('div');
    this.element.id = id;
    this.element.className = 'bsc-menu';
    this.element.setAttribute('role', 'menu');
    this.element.setAttribute('aria-label', options.label);
    this.element.tabIndex = -1;
    const trigger = options.trigger;
    trigger.setAttribute('aria-haspopup', 'menu');
    trigger.setAttribute('aria-expanded', 'false');
    trigger.setAttribute('aria-controls', id);
    trigger.addEventListener('keydown', (event) => this.onTriggerKey(event));
    this.element.addEventListener('keydown', (event) => this.onMenuKey(event));
    this.element.addEventListener('focusout', (event) => {
      const next = (event as FocusEvent).relatedTarget as Node | null;
      if (this.opened && next && !this.options.host.contains(next) && !this.contains(next)) this.close(false);
    });
  }

  get isOpen(): boolean {
    return this.opened;
  }

  toggle(): void {
    if (this.opened) this.close(true);
    else this.open('first');
  }

  open(focus: 'first' | 'last' = 'first'): void {
    if (!this.built) {
      this.built = true;
      this.render();
      this.options.container.appendChild(this.element);
    }
    if (!this.opened) {
      this.opened = true;
      this.options.trigger.setAttribute('aria-expanded', 'true');
      show(this.element);
      this.position();
      this.listenWhileOpen();
    }
    this.focusItem(focus);
  }

  close(returnFocus: boolean): void {
    if (!this.opened) return;
    this.opened = false;
    this.options.trigger.setAttribute('aria-expanded', 'false');
    hide(this.element);
    for (const stop of this.detach) stop();
    this.detach = [];
    if (returnFocus) this.options.trigger.focus();
  }

  /** Renders the content again (after loading); keeps focus in the menu when it was there. */
  refresh(): void {
    if (!this.built) return;
    const hadFocus = this.contains(this.activeElement());
    this.render();
    if (this.opened) {
      this.position();
      if (hadFocus) this.focusItem('first');
    }
  }

  private contains(node: Node | null): boolean {
    return Boolean(node && (node === this.element || this.element.contains(node)));
  }

  private activeElement(): Element | null {
    const root = this.element.getRootNode() as Document | ShadowRoot;
    return root.activeElement ?? null;
  }

  private items(): HTMLElement[] {
    return [...this.element.querySelectorAll<HTMLElement>(ITEM_SELECTOR)];
  }

  private focusItem(which: 'first' | 'last' | number): void {
    const items = this.items();
    if (items.length === 0) {
      this.element.focus();
      return;
    }
    const index = which === 'first' ? 0 : which === 'last' ? items.length - 1 : which;
    items[(index + items.length) % items.length]?.focus();
  }

  private render(): void {
    const { sections, footer } = this.options.content();
    const doc = this.doc;
    this.element.replaceChildren();
    sections.forEach((section, i) => {
      if (i > 0) {
        const separator = doc.createElement('div');
        separator.setAttribute('role', 'separator');
        separator.className = 'bsc-menu-separator';
        this.element.appendChild(separator);
      }
      const group = doc.createElement('div');
      group.setAttribute('role', 'group');
      group.className = section.columns ? 'bsc-menu-group bsc-menu-columns' : 'bsc-menu-group';
      if (section.label) {
        group.setAttribute('aria-label', section.label);
        const heading = doc.createElement('div');
        heading.className = 'bsc-menu-heading';
        heading.setAttribute('aria-hidden', 'true');
        heading.textContent = section.label;
        group.appendChild(heading);
      }
      for (const entry of section.entries) group.appendChild(this.entryElement(entry));
      this.element.appendChild(group);
    });
    if (footer?.length) {
      const small = doc.createElement('div');
      small.className = 'bsc-menu-footer';
      small.id = `${this.element.id}-footer`;
      for (const line of footer) {
        const p = doc.createElement('p');
        p.textContent = line;
        small.appendChild(p);
      }
      this.element.appendChild(small);
      this.element.setAttribute('aria-describedby', small.id);
    } else {
      this.element.removeAttribute('aria-describedby');
    }
  }

  private entryElement(entry: MenuItem | MenuNote): HTMLElement {
    const doc = this.doc;
    const button = doc.createElement('button');
    button.type = 'button';
    button.tabIndex = -1;
    button.setAttribute('role', 'menuitem');
    const label = doc.createElement('span');
    label.className = 'bsc-item-label';
    if (entry.kind === 'note') {
      button.className = `bsc-menu-note bsc-tone-${entry.tone ?? 'info'}`;
      button.setAttribute('aria-disabled', 'true');
      if (entry.tone === 'busy') button.setAttribute('aria-busy', 'true');
      label.textContent = entry.text;
      button.appendChild(label);
      return button;
    }
    button.className = 'bsc-menu-item';
    label.textContent = entry.label;
    button.appendChild(label);
    const detailText = entry.disabled ?? entry.detail;
    if (detailText) {
      const detail = doc.createElement('span');
      detail.className = entry.disabled ? 'bsc-item-detail bsc-item-reason' : 'bsc-item-detail';
      detail.textContent = detailText;
      button.appendChild(detail);
    }
    if (entry.disabled) {
      button.setAttribute('aria-disabled', 'true');
    } else {
      button.addEventListener('click', (event) => {
        if (this.options.trustedOnly !== false && !event.isTrusted) return;
        this.close(true);
        entry.onSelect(event);
      });
    }
    return button;
  }

  private onTriggerKey(event: KeyboardEvent): void {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      event.stopPropagation();
      this.open(event.key === 'ArrowDown' ? 'first' : 'last');
    } else if (event.key === 'Escape' && this.opened) {
      event.preventDefault();
      event.stopPropagation();
      this.close(true);
    }
  }

  private onMenuKey(event: KeyboardEvent): void {
    const items = this.items();
    const current = items.indexOf(this.activeElement() as HTMLElement);
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowRight':
        this.focusItem(current < 0 ? 0 : current + 1);
        break;
      case 'ArrowUp':
      case 'ArrowLeft':
        this.focusItem(current < 0 ? -1 : current - 1);
        break;
      case 'Home':
        this.focusItem('first');
        break;
      case 'End':
        this.focusItem('last');
        break;
      case 'Escape':
        this.close(true);
        break;
      case 'Tab':
        // Leave the menu: from the button, the browser's own Tab moves on (or back with Shift).
        this.close(true);
        event.stopPropagation();
        return;
      default:
        // Keep the page's own shortcuts (Bitbucket has many single-key ones) out of the menu.
        if (!event.ctrlKey && !event.metaKey && !event.altKey) event.stopPropagation();
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  private position(): void {
    const menu = this.element;
    const view = this.doc.defaultView;
    if (!view || typeof this.options.trigger.getBoundingClientRect !== 'function') return;
    const anchor = this.options.trigger.closest('.bsc-anchor') ?? this.options.trigger;
    const r = anchor.getBoundingClientRect();
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    const margin = 8;
    const gap = 4;
    const fits = (top: number, left: number) =>
      top >= margin &&
      top + height <= view.innerHeight - margin &&
      left >= margin &&
      left + width <= view.innerWidth - margin;
    const clampTop = (top: number) => Math.max(margin, Math.min(top, view.innerHeight - height - margin));
    const below = { top: r.bottom + gap, left: r.left };
    const above = { top: r.top - gap - height, left: r.left };
    const aboveRight = { top: above.top, left: r.right - width };
    // Beside the button, when a long menu fits neither below nor above it (the sidebar).
    const beside = { top: clampTop(r.top), left: r.right + gap };
    const candidates =
      this.options.placement === 'below'
        ? [below, beside, above]
        : [aboveRight, { ...below, left: aboveRight.left }];
    const chosen = candidates.find((c) => fits(c.top, c.left)) ?? {
      top: clampTop(candidates[0]!.top),
      left: candidates[0]!.left,
    };
    const top = chosen.top;
    const left = Math.max(margin, Math.min(chosen.left, view.innerWidth - width - margin));
    menu.style.top = `${Math.round(top)}px`;
    menu.style.left = `${Math.round(left)}px`;
  }

  private listenWhileOpen(): void {
    const view = this.doc.defaultView;
    const onPointer = (event: Event) => {
      const path = typeof event.composedPath === 'function' ? event.composedPath() : [];
      if (!path.includes(this.options.host) && !path.includes(this.element)) this.close(false);
    };
    let frame = 0;
    const onMove = () => {
      if (frame || !view) return;
      frame = view.requestAnimationFrame(() => {
        frame = 0;
        if (this.opened) this.position();
      });
    };
    this.doc.addEventListener('pointerdown', onPointer, true);
    view?.addEventListener('scroll', onMove, { capture: true, passive: true });
    view?.addEventListener('resize', onMove);
    this.detach.push(() => {
      this.doc.removeEventListener('pointerdown', onPointer, true);
      view?.removeEventListener('scroll', onMove, { capture: true });
      view?.removeEventListener('resize', onMove);
      if (frame) view?.cancelAnimationFrame(frame);
    });
  }
}

/** Top layer where the browser has popovers; a plain `hidden` toggle elsewhere (test DOMs). */
function show(element: HTMLElement): void {
  if (typeof element.showPopover === 'function') {
    if (!element.hasAttribute('popover')) element.setAttribute('popover', 'manual');
    element.hidden = false;
    if (!element.matches(':popover-open')) element.showPopover();
  } else {
    element.hidden = false;
  }
}

function hide(element: HTMLElement): void {
  if (typeof element.hidePopover === 'function' && element.hasAttribute('popover')) {
    if (element.matches(':popover-open')) element.hidePopover();
  }
  element.hidden = true;
}
