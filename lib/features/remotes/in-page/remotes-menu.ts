/**
 * The "Remotes" menu of a repository page: the repository's origin when it is a fork, and its
 * forks (those the token can read; the background pages through `…/forks`), each as a
 * `git remote add <name> <url>` command to copy, and "Copy all". Names come from the background
 * (owner slug or project key, unique in the list).
 *
 * Test pages (simulator, alice): /projects/PROJ/repos/api/browse (forks ~BOB/api), /users/bob/repos/api/browse
 * (a fork: origin PROJ/api, fork ~CHEN/cache-spike), /projects/PUB/repos/website/browse (no forks).
 */

import {
  CREDENTIAL_HELPER_NOTE,
  PROTOCOL_NAMES,
  type Protocol,
  pickCloneUrl,
} from '../../clone/in-page/clone-urls';
import type { MenuContent, MenuItem, MenuSection } from '../../clone/in-page/menu';
import type { RemoteSummary, RemotesAnswer } from '../../clone/messages';
import { gitRemoteAddCommand } from '../remote-names';

/** The forks and origin, asked of the background the first time a menu needs them. */
export type RemotesState =
  | { status: 'idle' | 'loading' }
  | { status: 'done'; answer: RemotesAnswer }
  | { status: 'failed'; message: string };

/**
 * `git remote add <name> <url>` for a remote, over the preferred protocol when it has it (else the
 * other); null when there is no URL or name that can be passed on safely.
 */
export function remoteAddCommand(remote: RemoteSummary, protocol: Protocol): string | null {
  const picked = pickCloneUrl(remote, protocol);
  if (!picked) return null;
  const command = gitRemoteAddCommand(remote.name, picked.url);
  return command.ok ? command.command : null;
}

export interface RemotesMenuOptions {
  state: RemotesState;
  protocol: Protocol;
  /** Copies the lines (joined by newlines); `what` names them for the status line. */
  copy(lines: string[], what: string): void;
  retry(): void;
}

export function remotesMenuContent({ state, protocol, copy, retry }: RemotesMenuOptions): MenuContent {
  if (state.status === 'failed') {
    return {
      sections: [
        {
          entries: [
            { kind: 'note', text: state.message, tone: 'warning' },
            { kind: 'item', label: 'Try again', onSelect: retry },
          ],
        },
      ],
    };
  }
  if (state.status !== 'done') {
    return { sections: [{ entries: [{ kind: 'note', text: 'Loading forks…', tone: 'busy' }] }] };
  }
  const { origin, forks } = state.answer;
  const commands: string[] = [];
  const itemFor = (remote: RemoteSummary): MenuItem => {
    const command = remoteAddCommand(remote, protocol);
    if (!command) {
      return {
        kind: 'item',
        label: remote.label,
        disabled: 'No clone URL that can be passed on safely.',
        onSelect: () => {},
      };
    }
    commands.push(command);
    return {
      kind: 'item',
      label: remote.label,
      detail: command,
      onSelect: () => copy([command], 'the git remote add command'),
    };
  };
  const sections: MenuSection[] = [];
  if (origin) sections.push({ label: 'Forked from', entries: [itemFor(origin)] });
  sections.push({
    label: 'Forks',
    entries: forks.length ? forks.map(itemFor) : [{ kind: 'note', text: 'This repository has no forks.' }],
  });
  if (commands.length > 0) {
    const all = [...commands];
    sections.push({
      entries: [
        {
          kind: 'item',
          label: 'Copy all',
          detail: all.length === 1 ? '1 git remote add command' : `${all.length} git remote add commands`,
          onSelect: () =>
            copy(
              all,
              all.length === 1 ? 'the git remote add command' : `${all.length} git remote add commands`,
            ),
        },
      ],
    });
  }
  return {
    sections,
    footer: [
      `Remote URLs use ${PROTOCOL_NAMES[protocol]} where the repository has it.`,
      CREDENTIAL_HELPER_NOTE,
    ],
  };
}
