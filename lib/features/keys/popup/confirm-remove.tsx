/**
 * The Keys tab's "are you sure" before a key is removed (from this browser or from the server's
 * account): the question, the red button (focused, so Enter confirms; Tab reaches Cancel), Cancel,
 * and what shows under them while the removal runs.
 */
import type { ComponentChildren } from 'preact';

export function ConfirmRemove(props: {
  /** The dialog's name, a question. */
  label: string;
  /** The red button's words. */
  confirm: string;
  /** The red button waits (a request of the card's is under way). */
  busy: boolean;
  /** Cancel waits too (the removal itself is under way and can't be called back). */
  cancelDisabled?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** The question and what follows from it. */
  children: ComponentChildren;
  /** Under the buttons (e.g. progress). */
  after?: ComponentChildren;
}) {
  return (
    <div class="message warning key-confirm" role="alertdialog" aria-label={props.label}>
      {props.children}
      <div class="row compact-buttons">
        <button
          type="button"
          class="danger"
          ref={(el) => el?.focus()}
          disabled={props.busy}
          onClick={props.onConfirm}
        >
          {props.confirm}
        </button>
        <button
          type="button"
          class="subtle"
          disabled={props.cancelDisabled === true}
          onClick={props.onCancel}
        >
          Cancel
        </button>
      </div>
      {props.after}
    </div>
  );
}
