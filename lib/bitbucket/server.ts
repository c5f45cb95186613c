import * as v from 'valibot';
import type { BitbucketClient, BitbucketResponse } from './client';

/** `GET /rest/api/1.0/application-properties`: answers without authentication. */
export const APPLICATION_PROPERTIES_PATH = '/rest/api/1.0/application-properties';

export const ApplicationPropertiesSchema = v.object({
  /** e.g. "9.4.23". */
  version: v.pipe(v.string(), v.regex(/^\d+\.\d+/)),
  /** The instance's title, e.g. "Example.com Bitbucket". */
  displayName: v.string(),
});
export type ApplicationProperties = v.InferOutput<typeof ApplicationPropertiesSchema>;

/** Whether a JSON answer is Bitbucket's application properties (a version number and a name). */
export function isBitbucketProperties(value: unknown): value is ApplicationProperties {
  return v.is(ApplicationPropertiesSchema, value);
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
