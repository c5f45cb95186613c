/**
 * Just enough of OpenPGP (RFC 9580) to check a GPG key from a profiles file without OpenPGP.js,
 * which the service worker must not load: the first packet of an ASCII-armored block, and the
 * fingerprint of a primary key packet. Pure (WebCrypto and Uint8Array only).
 */
import { base64Decode } from './ssh-format';

/** Packet tags (RFC 9580 §5). */
export const PACKET_TAG = { secretKey: 5, publicKey: 6 } as const;

export interface Packet {
  tag: number;
  body: Uint8Array;
}

/** The bytes inside an armored block (`-----BEGIN PGP … BLOCK-----`), or undefined when it is not one. */
export function dearmor(armored: string): Uint8Array | undefined {
  const lines = armored.trim().split(/\r?\n/);
  if (!/^-----BEGIN PGP [A-Z ]+-----$/.test(lines[0] ?? '')) return undefined;
  let i = 1;
  // Armor headers ("Comment: …") end at a blank line.
  while (i < lines.length && /^[A-Za-z][A-Za-z0-9-]*: /.test(lines[i] ?? '')) i++;
  if ((lines[i] ?? '').trim() === '') i++;
  const body: string[] = [];
  for (; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.startsWith('-----END PGP ')) {
      const text = body.join('');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
      return base64Decode(text);
    }
    // The CRC-24 checksum line; optional, and OpenPGP's integrity lies in the packets themselves.
    if (line.startsWith('=')) continue;
    body.push(line);
  }
  return undefined;
}

/** The first packet of a packet sequence; undefined when its header is malformed or it is cut short. */
export function firstPacket(bytes: Uint8Array): Packet | undefined {
  const first = bytes[0];
  if (first === undefined || (first & 0x80) === 0) return undefined;
  let tag: number;
  let length: number;
  let offset: number;
  if (first & 0x40) {
    // OpenPGP packet format: one, two or five length octets (partial lengths are never used for keys).
    tag = first & 0x3f;
    const b1 = bytes[1];
    if (b1 === undefined) return undefined;
    if (b1 < 192) {
      length = b1;
      offset = 2;
    } else if (b1 < 224) {
      length = ((b1 - 192) << 8) + (bytes[2] ?? 0) + 192;
      offset = 3;
    } else if (b1 === 255) {
      length = readUint32(bytes, 2);
      offset = 6;
    } else {
      return undefined;
    }
  } else {
    // Legacy packet format: the length type in the low two bits.
    tag = (first >> 2) & 0x0f;
    const lengthType = first & 0x03;
    if (lengthType === 3) return undefined;
    const octets = 1 << lengthType;
    length = 0;
    for (let k = 0; k < octets; k++) length = length * 256 + (bytes[1 + k] ?? 0);
    offset = 1 + octets;
  }
  if (offset + length > bytes.length) return undefined;
  return { tag, body: bytes.subarray(offset, offset + length) };
}

/**
 * The fingerprint of a public key packet body, upper-case hex: SHA-1 for version 4 keys, SHA-256
 * for versions 5 and 6 (RFC 9580 §5.5.4). Undefined for any other version.
 */
export async function keyFingerprint(publicBody: Uint8Array): Promise<string | undefined> {
  const version = publicBody[0];
  let prefix: Uint8Array;
  let hash: 'SHA-1' | 'SHA-256';
  if (version === 4) {
    prefix = Uint8Array.of(0x99, (publicBody.length >> 8) & 0xff, publicBody.length & 0xff);
    hash = 'SHA-1';
  } else if (version === 5 || version === 6) {
    const n = publicBody.length;
    prefix = Uint8Array.of(
      version === 6 ? 0x9b : 0x9a,
      n >>> 24,
      (n >> 16) & 0xff,
      (n >> 8) & 0xff,
      n & 0xff,
    );
    hash = 'SHA-256';
  } else {
    return undefined;
  }
  const data = new Uint8Array(prefix.length + publicBody.length);
  data.set(prefix);
  data.set(publicBody, prefix.length);
  const digest = new Uint8Array(await crypto.subtle.digest(hash, data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

/** The long key id of a fingerprint: its last 8 bytes for version 4, its first 8 for later versions. */
export function keyIdOf(fingerprint: string): string {
  return fingerprint.length === 40 ? fingerprint.slice(-16) : fingerprint.slice(0, 16);
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] ?? 0) * 2 ** 24 +
    ((bytes[at + 1] ?? 0) << 16) +
    ((bytes[at + 2] ?? 0) << 8) +
    (bytes[at + 3] ?? 0)
  );
}
