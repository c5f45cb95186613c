/**
 * The in-page "Create pull request" button: a plain button in a shadow root, beside the branch
 * selector of a source or commits page, in a row of the branch list, or floating in the page's
 * corner when neither is there. Showing it needs nothing from the service worker; a click asks the
 * background to open the Companion's form (an extension window) for the page's repository and
 * branch. The page never sees a token: only the repository and the branch name leave it.
 *
 * Test pages (simulator, signed in as alice): /projects/PROJ/repos/api/browse?at=refs/heads/develop,
 * /projects/PROJ/repos/api/branches, /users/bob/repos/api/browse (a fork),
 * /projects/PROJ/repos/api/browse?at=refs/heads/develop&simLayout=no-branch-selector (floating).
 */
import { attachStyledShadow, followPageColorMode } from '../../../ui/in-page/shadow-host';
import css from './create-pr-button.css?inline';

/** What the form is opened for: the page's repository and, when there is one, its branch. */
export interface CreatePrTarget {
  /** Origin and context path of the page's server. */
  baseUrl: string;
  projectKey: string;
  slug: string;
  /** The branch name (not the ref), as the form takes it. */
  sourceBranch?: string;
}

export interface CreatePrDeps {
  /** Asks the background to open the form; rejects with a sentence when it can't. */
  open(target: CreatePrTarget): Promise<unknown>;
  /** Only user clicks act (a page can't click for the user); tests of a DOM without them turn this off. */
  trustedOnly?: boolean;
}

export type CreatePrPlacement = 'toolbar' | 'row' | 'floating';

/** Marks our host elements, so a check finds every copy (and keeps exactly the wanted ones). */
export const CREATE_PR_HOST = 'data-bsc-create-pr';

export const BUTTON_LABEL = 'Create pull request';

/** The button's tooltip: what ours adds to Bitbucket's own "Create pull request". */
export function buttonTitle(sourceBranch: string | undefined): string {
  const what = sourceBranch ? `from ${sourceBranch} ` : '';
  return `Create a pull request ${what}in the Companion’s form: the branch and the default reviewers filled in, your team’s reviewer groups one click away`;
}

export interface CreatePrButton {
  readonly host: HTMLElement;
  readonly placement: CreatePrPlacement;
  readonly target: CreatePrTarget;
  destroy(): void;
}

const SVG = 'http://www.w3.org/2000/svg';

/** Two branches, one merging into the other: Atlassian's pull request glyph, drawn at 16px. */
function pullRequestIcon(doc: Document): SVGSVGElement {
  const svg = doc.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = doc.createElementNS(SVG, 'path');
  path.setAttribute(
    'd',
    'M4 1.5a2 2 0 0 1 1 3.73v5.54a2 2 0 1 1-2 0V5.23A2 2 0 0 1 4 1.5Zm5.3.2L10.58 3H11a3 3 0 0 1 3 3v4.77a2 2 0 1 1-2 0V6a1 1 0 0 0-1-1h-.42L11.3 6.3 9.88 7.7 6.17 4l3.71-3.7 1.42 1.4Z',
  );
  svg.appendChild(path);
  return svg;
}

/**
 * Builds the button for `target` and puts it at `anchor`: appended to the branch selector's group
 * (`toolbar`), first in a branch row's cell (`row`), or in the page's corner (`floating`, no anchor).
 */
export function mountCreatePrButton(
  doc: Document,
  options: {
    target: CreatePrTarget;
    placement: CreatePrPlacement;
    anchor?: Element | null;
    deps: CreatePrDeps;
  },
): CreatePrButton {
  const { target, placement, anchor, deps } = options;
  const host = doc.createElement('bsc-create-pull-request');
  host.setAttribute(CREATE_PR_HOST, '');
  host.dataset.placement = placement;
  if (anchor && placement === 'row') anchor.prepend(host);
  else if (anchor) anchor.append(host);
  else (doc.body ?? doc.documentElement).appendChild(host);

  const shadow = attachStyledShadow(host, css);
  const button = doc.createElement('button');
  button.type = 'button';
  button.title = buttonTitle(target.sourceBranch);
  const label = doc.createElement('span');
  label.textContent = BUTTON_LABEL;
  button.append(pullRequestIcon(doc), label);
  const status = doc.createElement('span');
  status.className = 'bsc-status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  shadow.append(button, status);
  const stopColorMode = followPageColorMode(doc, host);

  let statusTimer: ReturnType<typeof setTimeout> | undefined;
  const say = (text: string, tone: 'success' | 'warning', forMs: number) => {
    status.textContent = text;
    status.className = `bsc-status bsc-tone-${tone}`;
    if (statusTimer) clearTimeout(statusTimer);
    statusTimer = setTimeout(() => {
      status.textContent = '';
    }, forMs);
  };

  let busy = false;
  button.addEventListener('click', (event) => {
    if (deps.trustedOnly !== false && !event.isTrusted) return;
    // One window per click: a second click while the first is on its way does nothing.
    if (busy) return;
    busy = true;
    button.setAttribute('aria-busy', 'true');
    say('Opening the pull request form…', 'success', 10_000);
    deps
      .open(target)
      .then(
        // The window is there, and says everything else.
        () => say('', 'success', 0),
        (error: unknown) => {
          const message =
            error instanceof Error && error.message
              ? error.message
              : 'The extension did not answer. Reload the page and try again.';
          say(message, 'warning', 8000);
        },
      )
      .finally(() => {
        busy = false;
        button.removeAttribute('aria-busy');
      });
  });

  return {
    host,
    placement,
    target,
    destroy() {
      if (statusTimer) clearTimeout(statusTimer);
      stopColorMode();
      host.remove();
    },
  };
}
