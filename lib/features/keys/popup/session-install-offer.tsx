/**
 * When the server refuses to let the token add a key: the Keys tab's offer to add it through the
 * user's signed-in browser session instead. The background opens (or focuses) the server's keys
 * page with a pending install, which that page's script finishes after checking who is signed in.
 */
import { useState } from 'preact/hooks';
import type { ProfileRecord } from '../../../db/schema';
import { ask } from '../../../messaging/client';

export interface SessionInstallOfferProps {
  keyId: string;
  profile: ProfileRecord;
  kindName: 'SSH' | 'GPG';
  onNotice(notice: { keyId: string; kind: 'success' | 'error' | 'warning'; text: string }): void;
  failureText(error: unknown): string;
}

export function SessionInstallOffer({
  keyId,
  profile,
  kindName,
  onNotice,
  failureText,
}: SessionInstallOfferProps) {
  const [busy, setBusy] = useState(false);
  const host = new URL(profile.baseUrl).host;
  const start = async () => {
    setBusy(true);
    try {
      const started = await ask({ type: 'keys.session.start', keyId, profileId: profile.id });
      onNotice({
        keyId,
        kind: 'success',
        text: `The ${kindName} keys page on ${started.host} ${started.tab === 'opened' ? 'opened in a new tab' : 'is showing in its tab again'}: the key is added there with your signed-in session. If the server asks you to log in, log in as ${started.userName} in that tab; the key is added when you are back on the ${kindName} keys page.`,
      });
    } catch (e) {
      onNotice({ keyId, kind: 'error', text: failureText(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="row compact-buttons key-session-offer">
      <button type="button" class="primary" disabled={busy} onClick={() => void start()}>
        Add through your signed-in session on {host}
      </button>
    </div>
  );
}
