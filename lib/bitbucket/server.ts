import * as v from 'valibot';
import type { BitbucketClient } from './client';

export const ApplicationPropertiesSchema = v.object({
  version: v.string(),
  displayName: v.string(),
  buildNumber: v.optional(v.string()),
  buildDate: v.optional(v.string()),
});
export type ApplicationProperties = v.InferOutput<typeof ApplicationPropertiesSchema>;

export const APPLICATION_PROPERTIES_PATH = '/rest/api/1.0/application-properties';

/** Server version and name; no authentication needed. Also tells who the token is (X-AUSERNAME). */
export function getApplicationProperties(client: BitbucketClient) {
  return client.get(APPLICATION_PROPERTIES_PATH, {
    operation: 'server.properties',
    schema: ApplicationPropertiesSchema,
  });
}
