/**
 * The names and text a user puts in `~/.ssh` for a key: the private key file's name (what the
 * options page downloads) and the `~/.ssh/config` block that makes `git` use that file for the
 * server's SSH host and port. Pure, so the background, the pages and the tests share it.
 */
import type { SshEndpoint } from '../../bitbucket/ssh-keys';

/** The host of a `<user>@<host>` key comment; empty when the comment names none. */
export function commentHost(comment: string): string {
  return comment.includes('@') ? comment.slice(comment.lastIndexOf('@') + 1) : '';
}

/** `id_ed25519_<host>` / `id_rsa_<host>`, the host taken from the key's `<user>@<host>` comment. */
export function privateKeyFileName(key: { type: 'ed25519' | 'rsa'; comment: string }): string {
  const host = commentHost(key.comment);
  const safe = host.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return safe ? `id_${key.type}_${safe}` : `id_${key.type}`;
}

/** A host name or user as ssh_config takes it: words without spaces, quotes or control characters. */
function configWord(value: string): string {
  return value.replace(/[^\w.@:%+-]+/g, '');
}

/**
 * The `Host` block for the server's SSH endpoint with this key file (`IdentitiesOnly` keeps ssh from
 * offering every other key first, which servers count against the login attempts).
 */
export function sshConfigBlock(endpoint: SshEndpoint, fileName: string): string {
  const host = configWord(endpoint.host);
  return [
    `Host ${host}`,
    `  HostName ${host}`,
    `  Port ${endpoint.port}`,
    `  User ${configWord(endpoint.user) || 'git'}`,
    `  IdentityFile ~/.ssh/${fileName}`,
    '  IdentitiesOnly yes',
  ].join('\n');
}
