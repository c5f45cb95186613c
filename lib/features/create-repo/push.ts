/**
 * The first commit of a new repository, made and pushed with isomorphic-git: every chosen file in
 * one commit on the chosen branch, built in an in-memory git directory and pushed over smart HTTP
 * with `Authorization: Bearer`. Loaded only where big libraries may run: Chrome's offscreen document,
 * Firefox's background page, the unit tests — never the Chrome service worker.
 */
import { Buffer } from 'buffer';
import git, { type HttpClient, type TreeEntry } from 'isomorphic-git';
import webHttp from 'isomorphic-git/http/web';
import { createMemoryFs } from './memory-fs';
import type { PushOperation, PushReply, SeedFile } from './push-channel';

// isomorphic-git (and the SHA-1 it uses) expect Node's Buffer as a global.
const scope = globalThis as { Buffer?: unknown };
scope.Buffer ??= Buffer;

const GITDIR = '/repository.git';

type Fs = ReturnType<typeof createMemoryFs>;

/** Writes the files' blobs and the trees holding them; answers the root tree's id. */
async function writeFiles(fs: Fs, files: readonly SeedFile[]): Promise<string> {
  interface Dir {
    files: Map<string, string>;
    dirs: Map<string, Dir>;
  }
  const root: Dir = { files: new Map(), dirs: new Map() };
  const encoder = new TextEncoder();
  for (const file of files) {
    const parts = file.path.split('/').filter(Boolean);
    const name = parts.pop();
    if (!name) continue;
    let dir = root;
    for (const part of parts) {
      let next = dir.dirs.get(part);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        dir.dirs.set(part, next);
      }
      dir = next;
    }
    dir.files.set(name, await git.writeBlob({ fs, gitdir: GITDIR, blob: encoder.encode(file.content) }));
  }
  const writeDir = async (dir: Dir): Promise<string> => {
    const tree: TreeEntry[] = [];
    for (const [path, oid] of dir.files) tree.push({ mode: '100644', path, oid, type: 'blob' });
    for (const [path, sub] of dir.dirs)
      tree.push({ mode: '040000', path, oid: await writeDir(sub), type: 'tree' });
    return git.writeTree({ fs, gitdir: GITDIR, tree });
  };
  return writeDir(root);
}

function describe(error: unknown): PushReply {
  const e = error as { code?: string; data?: { statusCode?: number; reason?: string }; message?: string };
  const message = String(e?.message ?? error).slice(0, 500);
  if (e?.code === 'HttpError') {
    return { ok: false, failure: 'refused', status: e.data?.statusCode ?? 0, message };
  }
  if (e?.code === 'PushRejectedError' || e?.code === 'GitPushError') {
    return { ok: false, failure: 'rejected', message };
  }
  if (error instanceof TypeError) return { ok: false, failure: 'network', message };
  return { ok: false, failure: 'failed', message };
}

/** Makes the commit and pushes it; never throws (the reply says what went wrong). */
export async function pushFirstCommit(
  operation: PushOperation,
  http: HttpClient = webHttp,
): Promise<PushReply> {
  try {
    const fs = createMemoryFs();
    const ref = `refs/heads/${operation.branch}`;
    await git.init({ fs, gitdir: GITDIR, bare: true, defaultBranch: operation.branch });
    const tree = await writeFiles(fs, operation.files);
    const who = {
      name: operation.author.name,
      email: operation.author.email,
      timestamp: operation.timestamp,
      timezoneOffset: 0,
    };
    const commitId = await git.writeCommit({
      fs,
      gitdir: GITDIR,
      commit: { message: operation.message, tree, parent: [], author: who, committer: who },
    });
    await git.writeRef({ fs, gitdir: GITDIR, ref, value: commitId, force: true });
    const result = await git.push({
      fs,
      http,
      gitdir: GITDIR,
      url: operation.url,
      ref,
      remoteRef: ref,
      headers: { Authorization: `Bearer ${operation.token}` },
    });
    if (!result.ok || result.refs[ref]?.ok === false) {
      return {
        ok: false,
        failure: 'rejected',
        message: result.error ?? result.refs[ref]?.error ?? 'rejected',
      };
    }
    return { ok: true, commitId };
  } catch (error) {
    return describe(error);
  }
}
