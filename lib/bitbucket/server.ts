import * as v from 'valibot';
import { capText, SERVER_TEXT } from '../messaging/limits';
import type { BitbucketClient, BitbucketResponse } from './client';

/** `GET /rest/api/1.0/application-properties`: answers without authentication. */
export const APPLICATION_PROPERTIES_PATH = '/rest/api/1.0/application-properties';

/**
 * Text the extension keeps from a server, at most `max` characters (Bitbucket's own limits, see
 * SERVER_TEXT). Identifiers (names, slugs, addresses, versions) past it are refused: a cut one
 * would name something else. Names shown to people are cut to `max`, unless they are far past it
 * (over four times): no Bitbucket stores such a name, so the answer is refused.
 */
export function serverText(max: number, kind: 'identifier' | 'name') {
  return kind === 'identifier'
    ? v.pipe(v.string(), v.maxLength(max))
    : v.pipe(
        v.string(),
        v.maxLength(4 * max),
        v.transform((text) => capText(text, max)),
      );
}

export const ApplicationPropertiesSchema = v.object({
  /** e.g. "9.4.23". */
  version: v.pipe(serverText(SERVER_TEXT.serverVersion, 'identifier'), v.regex(/^\d+\.\d+/)),
  /** The instance's title, e.g. "Example.com Bitbucket". */
  displayName: serverText(SERVER_TEXT.serverName, 'name'),
});
export type ApplicationProperties = v.InferOutput<typeof ApplicationPropertiesSchema>;

/** What tells Bitbucket's application properties from anything else, whatever their sizes. */
const BitbucketPropertiesShape = v.object({
  version: v.pipe(v.string(), v.regex(/^\d+\.\d+/)),
  displayName: v.string(),
});

/**
 * Whether a JSON answer is Bitbucket's application properties (a version number and a name). It may
 * still fail ApplicationPropertiesSchema: that is Bitbucket with an answer nobody should keep.
 */
export function isBitbucketProperties(value: unknown): boolean {
  return v.is(BitbucketPropertiesShape, value);
}

/**
 * The server's version and name. With a token, `username` (from X-AUSERNAME) says whose it is.
 */
export function getApplicationProperties(
  client: BitbucketClient,
  options: { signal?: AbortSignal } = {},
): Promise<BitbucketResponse<ApplicationProperties>> {
  return client.get(APPLICATION_PROPERTIES_PATH, {
    operation: 'server.properties',
    schema: ApplicationPropertiesSchema,
    signal: options.signal,
  });
}
