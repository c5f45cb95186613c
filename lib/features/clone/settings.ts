/**
 * The clone settings: which Git client the "Open in…" button's main part uses, SSH or HTTPS, and
 * how often the repository index is refreshed. Kept in `storage.local` (never a secret), so the
 * in-page button can read them without waking the service worker; only the background writes them.
 */
import * as v from 'valibot';
import { browser } from 'wxt/browser';

export const CLONE_SETTINGS_KEY = 'clone-settings';

export const CloneSettingsSchema = v.object({
  /** A client id of lib/features/clone/clients.ts, or 'copy' for the `git clone` command. */
  client: v.pipe(v.string(), v.maxLength(40)),
  protocol: v.picklist(['ssh', 'http']),
  /** Hours between two full re-lists of a server's repositories. */
  syncIntervalHours: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(168)),
});
export type CloneSettings = v.InferOutput<typeof CloneSettingsSchema>;

export const DEFAULT_CLONE_SETTINGS: CloneSettings = {
  client: 'vscode',
  protocol: 'http',
  syncIntervalHours: 6,
};

/** The settings as stored, with defaults for anything missing or damaged. */
export async function readCloneSettings(): Promise<CloneSettings> {
  try {
    const stored = (await browser.storage.local.get(CLONE_SETTINGS_KEY))[CLONE_SETTINGS_KEY];
    const parsed = v.safeParse(v.partial(CloneSettingsSchema), stored ?? {});
    return { ...DEFAULT_CLONE_SETTINGS, ...(parsed.success ? parsed.output : {}) };
  } catch {
    return DEFAULT_CLONE_SETTINGS;
  }
}

export async function writeCloneSettings(change: Partial<CloneSettings>): Promise<CloneSettings> {
  const next = { ...(await readCloneSettings()), ...change };
  await browser.storage.local.set({ [CLONE_SETTINGS_KEY]: next });
  return next;
}
