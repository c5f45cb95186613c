/**
 * An OpenSSH private key file (PROTOCOL.key, unencrypted) with its two random check integers
 * zeroed, as base64: ssh-keygen and the extension write new ones into every file, so two downloads
 * of one key differ only there. Node only (unit and e2e tests).
 */
export function withoutCheckInts(file: string): string {
  const body = file
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('');
  const bytes = Buffer.from(body, 'base64');
  let at = 'openssh-key-v1\0'.length;
  const skipString = () => {
    at += 4 + bytes.readUInt32BE(at);
  };
  skipString(); // cipher ("none")
  skipString(); // kdf ("none")
  skipString(); // kdf options (empty)
  at += 4; // number of keys
  skipString(); // the public key
  at += 4; // length of the private section, which starts with the check integers
  bytes.fill(0, at, at + 8);
  return bytes.toString('base64');
}
