/**
 * The smallest in-memory file system isomorphic-git works with (its `fs.promises` client): files
 * and directories in one map, nothing written anywhere. A first commit is a handful of objects, so
 * the whole git directory lives here for the few seconds a push takes, then is dropped.
 */

type Entry = { kind: 'file'; data: Uint8Array; mtimeMs: number } | { kind: 'dir'; mtimeMs: number };

function fsError(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';

class Stats {
  readonly mode: number;
  readonly size: number;
  readonly ino = 0;
  readonly uid = 1;
  readonly gid = 1;
  readonly dev = 1;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  constructor(private readonly entry: Entry) {
    this.mode = entry.kind === 'dir' ? 0o40755 : 0o100644;
    this.size = entry.kind === 'file' ? entry.data.byteLength : 0;
    this.mtimeMs = entry.mtimeMs;
    this.ctimeMs = entry.mtimeMs;
  }
  isFile() {
    return this.entry.kind === 'file';
  }
  isDirectory() {
    return this.entry.kind === 'dir';
  }
  isSymbolicLink() {
    return false;
  }
}

export interface MemoryFs {
  promises: {
    readFile(path: string, options?: { encoding?: string } | string): Promise<Uint8Array | string>;
    writeFile(path: string, data: Uint8Array | string, options?: unknown): Promise<void>;
    unlink(path: string): Promise<void>;
    readdir(path: string): Promise<string[]>;
    mkdir(path: string, options?: unknown): Promise<void>;
    rmdir(path: string): Promise<void>;
    stat(path: string): Promise<Stats>;
    lstat(path: string): Promise<Stats>;
    readlink(path: string): Promise<string>;
    symlink(target: string, path: string): Promise<void>;
    chmod(path: string, mode: number): Promise<void>;
  };
}

export function createMemoryFs(): MemoryFs {
  const entries = new Map<string, Entry>([['/', { kind: 'dir', mtimeMs: Date.now() }]]);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const get = (raw: string) => {
    const path = normalise(raw);
    const entry = entries.get(path);
    if (!entry) throw fsError('ENOENT', path);
    return { path, entry };
  };
  const requireParentDir = (path: string) => {
    const parent = entries.get(parentOf(path));
    if (!parent) throw fsError('ENOENT', path);
    if (parent.kind !== 'dir') throw fsError('ENOTDIR', path);
  };

  return {
    promises: {
      async readFile(raw, options) {
        const { path, entry } = get(raw);
        if (entry.kind !== 'file') throw fsError('EISDIR', path);
        const encoding = typeof options === 'string' ? options : options?.encoding;
        return encoding === 'utf8' ? decoder.decode(entry.data) : entry.data.slice();
      },
      async writeFile(raw, data) {
        const path = normalise(raw);
        requireParentDir(path);
        if (entries.get(path)?.kind === 'dir') throw fsError('EISDIR', path);
        const bytes = typeof data === 'string' ? encoder.encode(data) : new Uint8Array(data);
        entries.set(path, { kind: 'file', data: bytes, mtimeMs: Date.now() });
      },
      async unlink(raw) {
        const { path, entry } = get(raw);
        if (entry.kind === 'dir') throw fsError('EISDIR', path);
        entries.delete(path);
      },
      async readdir(raw) {
        const { path, entry } = get(raw);
        if (entry.kind !== 'dir') throw fsError('ENOTDIR', path);
        const prefix = path === '/' ? '/' : `${path}/`;
        const names: string[] = [];
        for (const key of entries.keys()) {
          if (key !== path && key.startsWith(prefix) && !key.slice(prefix.length).includes('/')) {
            names.push(key.slice(prefix.length));
          }
        }
        return names.sort();
      },
      async mkdir(raw) {
        const path = normalise(raw);
        if (entries.has(path)) throw fsError('EEXIST', path);
        requireParentDir(path);
        entries.set(path, { kind: 'dir', mtimeMs: Date.now() });
      },
      async rmdir(raw) {
        const { path, entry } = get(raw);
        if (entry.kind !== 'dir') throw fsError('ENOTDIR', path);
        const prefix = `${path}/`;
        for (const key of entries.keys()) if (key.startsWith(prefix)) throw fsError('ENOTEMPTY', path);
        entries.delete(path);
      },
      async stat(raw) {
        return new Stats(get(raw).entry);
      },
      async lstat(raw) {
        return new Stats(get(raw).entry);
      },
      async readlink(raw) {
        throw fsError('EINVAL', normalise(raw));
      },
      async symlink(_target, raw) {
        throw fsError('EPERM', normalise(raw));
      },
      async chmod() {},
    },
  };
}
