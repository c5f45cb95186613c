/** How a long operation is going: a spinner while working, then a success or an error sentence. */
export type Status =
  | { kind: 'idle' }
  | { kind: 'working'; text: string }
  | { kind: 'done'; text: string }
  | { kind: 'failed'; text: string };

export function StatusLine({ status }: { status: Status }) {
  if (status.kind === 'idle') return null;
  if (status.kind === 'working') {
    return (
      <div class="message" role="status">
        <span class="spinner" aria-hidden="true" />
        {status.text}
      </div>
    );
  }
  return (
    <div
      class={`message ${status.kind === 'done' ? 'success' : 'error'}`}
      role={status.kind === 'done' ? 'status' : 'alert'}
    >
      {status.text}
    </div>
  );
}
