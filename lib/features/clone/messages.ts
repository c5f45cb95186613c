/**
 * The clone and remotes feature's part of the message protocol (assembled in lib/messaging).
 */
import * as v from 'valibot';
import { CloneSettingsSchema } from './settings';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
const Key = v.pipe(v.string(), v.minLength(1), v.maxLength(300));

export const CLONE_REQUESTS = [
  /** Start (or resume) the profile's repository sync; `force` even when the index is fresh. */
  v.object({ type: v.literal('repos.sync'), profileId: Id, force: v.optional(v.boolean()) }),
  /** Refresh the recently used repositories (one cheap request, on popup open). */
  v.object({ type: v.literal('repos.recent'), profileId: Id }),
  /** The user opened or cloned a repository here: it ranks first in search from now on. */
  v.object({
    type: v.literal('repos.used'),
    profileId: v.optional(Id),
    repoId: v.pipe(v.number(), v.integer(), v.minValue(0)),
  }),
  /** A repository's forks and origin, for `git remote add`. From a page: its own server's profile. */
  v.object({
    type: v.literal('repos.remotes'),
    profileId: v.optional(Id),
    projectKey: Key,
    slug: Key,
  }),
  v.object({ type: v.literal('clone.settings'), change: v.partial(CloneSettingsSchema) }),
] as const;

export interface RemoteSummary {
  /** The remote's name in `git remote add <name> <url>`. */
  name: string;
  /** "PROJ / repo" or "~BOB / repo", for the menu. */
  label: string;
  http?: string;
  ssh?: string;
}

export interface RemotesAnswer {
  /** The repository itself. */
  repository: RemoteSummary;
  /** When the repository is a fork: the repository it was forked from. */
  origin?: RemoteSummary;
  forks: RemoteSummary[];
}

export interface CloneResponses {
  'repos.sync': { started: boolean };
  'repos.recent': { count: number };
  'repos.used': null;
  'repos.remotes': RemotesAnswer;
  'clone.settings': v.InferOutput<typeof CloneSettingsSchema>;
}

/** What a content script of a connected server may ask for. */
export const CLONE_CONTENT_SCRIPT_TYPES = ['repos.used', 'repos.remotes'] as const;
