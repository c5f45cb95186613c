/**
 * A text field with suggestions in the ARIA combobox pattern: typing asks for suggestions (debounced),
 * ↓/↑ move through them, Enter picks the highlighted one, Escape closes the list (a second Escape
 * is left to the page). The list is announced through aria-expanded / aria-activedescendant.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ComboboxProps<T> {
  id: string;
  label: string;
  value: string;
  onInput: (text: string) => void;
  /** Suggestions for the text; called debounced. A rejection shows its message under the field. */
  suggest: (text: string, signal: AbortSignal) => Promise<T[]>;
  /** When to ask: default for any text, empty included. */
  asksFor?: (text: string) => boolean;
  onPick: (item: T) => void;
  keyOf: (item: T) => string;
  render: (item: T) => ComponentChildren;
  placeholder?: string;
  /** Said when there is nothing to suggest for the text. */
  noMatches: (text: string) => string;
  disabled?: boolean;
  /** Milliseconds after the last keystroke; default 200. */
  debounceMs?: number;
  hint?: ComponentChildren;
}

export function Combobox<T>(props: ComboboxProps<T>) {
  const { id, value, debounceMs = 200 } = props;
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<T[]>([]);
  const [active, setActive] = useState(-1);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  /** The text the list was asked for; a change asks again once the user pauses. */
  const [asked, setAsked] = useState<string | null>(null);
  /** What the list is wanted for (null: nothing asked since it closed). */
  const [wanted, setWanted] = useState<string | null>(null);
  const listId = `${id}-list`;
  /** Closing after the field lost focus waits a moment (a click on an option lands first). */
  const closing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(closing.current), []);

  useEffect(() => {
    if (!open || wanted === null) return;
    const text = wanted;
    if (props.asksFor && !props.asksFor(text)) {
      setItems([]);
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    const timer = setTimeout(() => {
      props.suggest(text, controller.signal).then(
        (found) => {
          if (controller.signal.aborted) return;
          setItems(found);
          setActive(found.length ? 0 : -1);
          setProblem(null);
          setLoading(false);
          setAsked(text);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setItems([]);
          setProblem(error instanceof Error ? error.message : String(error));
          setLoading(false);
        },
      );
    }, debounceMs);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [open, wanted]);

  const ask = (text: string) => {
    clearTimeout(closing.current);
    setWanted(text);
    setOpen(true);
  };
  const pick = (item: T) => {
    props.onPick(item);
    setOpen(false);
    setWanted(null);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!open) {
        ask(value);
        return;
      }
      if (items.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + items.length) % items.length);
    } else if (event.key === 'Enter') {
      const item = open ? items[active] : undefined;
      if (item !== undefined && !loading) {
        event.preventDefault();
        pick(item);
      } else if (open) {
        event.preventDefault();
      }
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
    }
  };

  const showList = open && !props.disabled;
  const activeItem = showList ? items[active] : undefined;
  return (
    <div class="combobox field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type="text"
        role="combobox"
        autocomplete="off"
        spellcheck={false}
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={activeItem !== undefined ? `${listId}-${active}` : undefined}
        value={value}
        placeholder={props.placeholder}
        disabled={props.disabled}
        onInput={(e) => {
          const text = e.currentTarget.value;
          props.onInput(text);
          ask(text);
        }}
        onFocus={() => ask(value)}
        onBlur={() => {
          clearTimeout(closing.current);
          closing.current = setTimeout(() => setOpen(false), 150);
        }}
        onKeyDown={onKeyDown}
      />
      {showList && (
        <div id={listId} role="listbox" class="combobox-list" aria-label={props.label}>
          {loading && asked === null && (
            <div class="combobox-note muted" aria-live="polite">
              <span class="spinner" aria-hidden="true" />
              Searching…
            </div>
          )}
          {problem && <div class="combobox-note error">{problem}</div>}
          {!problem && !loading && items.length === 0 && (props.asksFor?.(value) ?? true) && (
            <div class="combobox-note muted">{props.noMatches(value)}</div>
          )}
          {items.map((item, i) => (
            <div
              key={props.keyOf(item)}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              class={i === active ? 'combobox-option active' : 'combobox-option'}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(item);
              }}
              onMouseEnter={() => setActive(i)}
            >
              {props.render(item)}
            </div>
          ))}
        </div>
      )}
      {props.hint}
    </div>
  );
}
