/**
 * The button of an RSA 4096 offer (an SSH or GPG key the server's policy refused) and its progress
 * line while the key is generated and installed.
 */

/** With `onClick` a plain button; without, it submits the form around it. */
export function RsaInsteadButton({ busy, onClick }: { busy: boolean; onClick?: () => void }) {
  return (
    <>
      <button type={onClick ? 'button' : 'submit'} class="primary" disabled={busy} onClick={onClick}>
        Generate an RSA 4096 key instead
      </button>
      {busy && (
        <span class="muted key-progress" role="status">
          <span class="spinner" aria-hidden="true" />
          Generating and installing… RSA takes a few seconds
        </span>
      )}
    </>
  );
}
