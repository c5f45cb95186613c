import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { hostPermissionPattern, normaliseServerUrl, tokenPageUrl } from '../bitbucket/server-url';
import { checkTokenFormat } from '../bitbucket/token-format';
import { ask, RequestFailure } from '../messaging/client';
import type { ProfileSummary } from '../messaging/protocol';
import { StatusLine } from './status-line';

export interface ConnectFormProps {
  /** Replace the token of this profile (its server is fixed). */
  replacing?: { id: string; baseUrl: string; userSlug: string; label: string };
  onDone?: (profile: ProfileSummary, warnings: string[]) => void;
  onCancel?: () => void;
}

type Status =
  | { state: 'idle' }
  | { state: 'working'; step: string }
  | { state: 'failed'; message: string }
  | { state: 'done'; profile: ProfileSummary; warnings: string[]; updated: boolean };

/**
 * Server URL + HTTP access token → a verified profile. Host permission for the server is requested
 * on the click (the user gesture browsers require), and given back if the connection fails.
 */
export function ConnectForm({ replacing, onDone, onCancel }: ConnectFormProps) {
  const [serverUrl, setServerUrl] = useState(replacing?.baseUrl ?? '');
  const [token, setToken] = useState('');
  const [status, setStatus] = useState<Status>({ state: 'idle' });
  const [alreadyGranted, setAlreadyGranted] = useState(false);

  const normalised = normaliseServerUrl(serverUrl);
  const tokenProblem = token.trim() ? checkTokenFormat(token) : null;
  const baseUrl = normalised.ok ? normalised.baseUrl : null;

  useEffect(() => {
    let stale = false;
    if (!baseUrl) return;
    browser.permissions
      .contains({ origins: [hostPermissionPattern(baseUrl)] })
      .then((has) => !stale && setAlreadyGranted(has))
      .catch(() => !stale && setAlreadyGranted(false));
    return () => {
      stale = true;
    };
  }, [baseUrl]);

  const openTokenPage = () => {
    if (!baseUrl) return;
    void browser.tabs.create({ url: tokenPageUrl(baseUrl, replacing?.userSlug) });
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!normalised.ok) {
      setStatus({ state: 'failed', message: normalised.message });
      return;
    }
    // What can be told from here is never sent: no permission prompt, no request.
    const format = checkTokenFormat(token);
    if (!format.ok) {
      setStatus({ state: 'failed', message: format.message });
      return;
    }
    const pattern = hostPermissionPattern(normalised.baseUrl);
    const host = new URL(normalised.baseUrl).host;
    const hadPermission = alreadyGranted;
    setStatus({ state: 'working', step: `Asking for access to ${host}…` });
    let granted: boolean;
    try {
      granted = await browser.permissions.request({ origins: [pattern] });
    } catch {
      granted = false;
    }
    if (!granted) {
      setStatus({
        state: 'failed',
        message: `The extension needs access to ${host} to talk to your server. Click Connect again and choose Allow.`,
      });
      return;
    }
    setStatus({ state: 'working', step: `Checking ${host} and your token…` });
    try {
      const result = await ask({
        type: 'connect',
        serverUrl: normalised.baseUrl,
        token: format.token,
        ...(replacing ? { profileId: replacing.id } : {}),
      });
      setToken('');
      setStatus({ state: 'done', ...result });
      onDone?.(result.profile, result.warnings);
    } catch (error) {
      if (!hadPermission) await browser.permissions.remove({ origins: [pattern] }).catch(() => false);
      const message =
        error instanceof RequestFailure
          ? error.message
          : 'The extension could not finish connecting. Try again.';
      setStatus({ state: 'failed', message });
    }
  };

  const working = status.state === 'working';
  return (
    <form class="connect-form" onSubmit={submit} aria-busy={working}>
      <h1>{replacing ? `Replace the token of ${replacing.label}` : 'Connect to Bitbucket Server'}</h1>
      <div class="field">
        <label for="server-url">Server URL</label>
        <input
          id="server-url"
          name="server-url"
          type="text"
          inputMode="url"
          autoComplete="url"
          placeholder="https://bitbucket.example.com"
          value={serverUrl}
          readOnly={Boolean(replacing)}
          onInput={(e) => setServerUrl(e.currentTarget.value)}
          autoFocus={!replacing}
          aria-invalid={!normalised.ok && serverUrl.trim() !== ''}
          aria-describedby={!normalised.ok && serverUrl.trim() !== '' ? 'url-problem' : undefined}
        />
        {!normalised.ok && serverUrl.trim() !== '' && (
          <div class="hint url-problem" id="url-problem">
            {normalised.message}
          </div>
        )}
        {normalised.ok && normalised.baseUrl !== serverUrl.trim() && (
          <div class="hint server-preview">Server: {normalised.baseUrl}</div>
        )}
      </div>
      <div class="field">
        <label for="token">HTTP access token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          autoFocus={Boolean(replacing)}
          aria-invalid={tokenProblem?.ok === false}
          aria-describedby={tokenProblem?.ok === false ? 'token-problem' : undefined}
        />
        {tokenProblem?.ok === false && (
          <div class="hint token-problem" id="token-problem">
            {tokenProblem.message}
          </div>
        )}
        <div class="hint">
          Give it <b>Project read</b> and <b>Repository write</b> (Repository read is enough to browse and
          clone). The token is stored encrypted and never leaves this browser except to your server.
        </div>
        <button type="button" class="link token-page" disabled={!baseUrl} onClick={openTokenPage}>
          Create a token on {baseUrl ? new URL(baseUrl).host : 'your server'} ↗
        </button>
      </div>
      {status.state === 'failed' && <StatusLine status={{ kind: 'failed', text: status.message }} />}
      {status.state === 'working' && <StatusLine status={{ kind: 'working', text: status.step }} />}
      {status.state === 'done' && (
        <div class="message success" role="status">
          {status.updated ? 'Updated your profile: ' : ''}Connected as <b>{status.profile.userDisplayName}</b>{' '}
          — Bitbucket {status.profile.serverVersion}
          {status.warnings.map((w) => (
            <div class="message warning" key={w}>
              {w}
            </div>
          ))}
        </div>
      )}
      <div class="row">
        <button type="submit" class="primary" disabled={working}>
          {replacing ? 'Replace token' : 'Connect'}
        </button>
        {onCancel && (
          <button type="button" class="subtle" onClick={onCancel} disabled={working}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
