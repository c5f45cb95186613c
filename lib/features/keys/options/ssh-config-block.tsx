/**
 * The `~/.ssh/config` block of a saved SSH key, one per server it belongs to, built by the
 * background from the server's SSH settings (host, port) and the private key file's name; with a
 * Copy button. A server with SSH access turned off says so instead.
 */
import { useEffect, useState } from 'preact/hooks';
import { ask, RequestFailure } from '../../../messaging/client';
import type { SshConfigEntry } from '../messages';

const failureText = (e: unknown) =>
  e instanceof RequestFailure || e instanceof Error ? e.message : 'The SSH settings could not be read.';

function Block({ entry, several }: { entry: Extract<SshConfigEntry, { block: string }>; several: boolean }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(`${entry.block}\n`);
      setCopied('Copied.');
    } catch (e) {
      setCopied(failureText(e));
    }
  };
  return (
    <div class="ssh-config" data-profile-id={entry.profileId}>
      <div class="row">
        <span class="grow hint">
          Add to <code>~/.ssh/config</code>
          {several ? ` for ${entry.profileLabel}` : ''}, so <code>git</code> uses this key for the server:
        </span>
        <button type="button" class="ssh-config-copy" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <pre class="ssh-config-block">
        <code>{entry.block}</code>
      </pre>
      {copied && (
        <div class="hint" role="status">
          {copied}
        </div>
      )}
    </div>
  );
}

export function SshConfigBlock({ keyId }: { keyId: string }) {
  const [entries, setEntries] = useState<SshConfigEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void ask({ type: 'keys.ssh.config', keyId }).then(setEntries, (e: unknown) => setError(failureText(e)));
  }, [keyId]);

  if (error) {
    return (
      <div class="message error" role="alert">
        {error}
      </div>
    );
  }
  if (!entries) {
    return (
      <div class="muted hint" role="status">
        <span class="spinner" aria-hidden="true" />
        Reading the server’s SSH settings…
      </div>
    );
  }
  if (entries.length === 0) {
    return <p class="hint">Connect a profile for this key’s server to get its ~/.ssh/config block.</p>;
  }
  return (
    <>
      {entries.map((entry) =>
        'block' in entry ? (
          <Block key={entry.profileId} entry={entry} several={entries.length > 1} />
        ) : (
          <div key={entry.profileId} class="message warning ssh-config-off" role="status">
            {entry.message}
          </div>
        ),
      )}
    </>
  );
}
