/**
 * What the popup does with a repository's clone URL: pick it by protocol, copy the command, or hand
 * it to a Git client by navigating a tab to the client's own URL (never the popup itself).
 */
import { browser } from 'wxt/browser';
import type { RepoRecord } from '../../../db/schema';
import { buildClientUrl, findGitClient, gitCloneCommand } from '../clients';

/** The clone URL for the preferred protocol, or the other one when the server only sends that. */
export function cloneUrlFor(repo: Pick<RepoRecord, 'cloneHttp' | 'cloneSsh'>, protocol: 'ssh' | 'http') {
  return protocol === 'ssh' ? (repo.cloneSsh ?? repo.cloneHttp) : (repo.cloneHttp ?? repo.cloneSsh);
}

/** `git clone <url>`, or an Error with the sentence when the URL is refused (unsafe). */
export function cloneCommand(url: string): string {
  const command = gitCloneCommand(url);
  if (!command.ok) throw new Error(command.message);
  return command.command;
}

export function clientLabel(clientId: string): string {
  if (clientId === 'copy') return 'git clone';
  return findGitClient(clientId)?.label ?? clientId;
}

/** Launches a Git client with the clone URL (the browser asks "Open <app>?"). */
export async function launchUrl(
  clientId: string,
  target: { cloneUrl: string; serverBaseUrl: string },
  tabId: number | undefined,
): Promise<void> {
  const built = buildClientUrl(clientId, target);
  if (!built.ok) throw new Error(built.message);
  if (tabId !== undefined) await browser.tabs.update(tabId, { url: built.url });
  else await browser.tabs.create({ url: built.url });
}
