import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as profiles from '../../../lib/background/profiles';
import { CompanionDb } from '../../../lib/db/schema';
import { createKeysHandlers } from '../../../lib/features/keys/handlers';
import { type Simulator, startSimulator } from '../../../simulator/index';
import { closeChecked } from './simulator-checks';

/**
 * The keys handlers' tests' bench: a strict simulator whose tokens may add keys and a folder for key
 * files (once a file), and for each test a fresh database with Alice connected.
 */

export type KeysHandlers = ReturnType<typeof createKeysHandlers>;

/** Every host permission granted. */
export const hostAccess = async () => true;

export async function startKeysSimulator(name: string): Promise<{ sim: Simulator; tmp: string }> {
  const sim = await startSimulator({ strict: true, tokensMayAddKeys: true });
  return { sim, tmp: mkdtempSync(path.join(tmpdir(), `${name}-`)) };
}

export async function stopKeysSimulator(sim: Simulator, tmp: string): Promise<void> {
  rmSync(tmp, { recursive: true, force: true });
  await closeChecked(sim);
}

/** A database of its own with Alice's profile (a read + write token) and the keys handlers on it. */
export async function connectAlice(
  sim: Simulator,
  name: string,
): Promise<{ db: CompanionDb; handlers: KeysHandlers; profileId: string; token: string }> {
  const db = new CompanionDb(`${name}-${Math.random()}`);
  const handlers = createKeysHandlers(db, { hostAccess });
  const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
  const { profile } = await profiles.connect(db, { serverUrl: sim.url, token }, { hostAccess });
  return { db, handlers, profileId: profile.id, token };
}
