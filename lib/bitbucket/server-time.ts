import * as v from 'valibot';

/**
 * A time the server sends, read into epoch ms. The spec says date-time strings in some places and
 * numbers in others (a GPG key's expiry; a subkey's is a string); servers have also been seen
 * sending epoch milliseconds as a string of digits. Undefined when it can't be read.
 */
export const ServerTimeSchema = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform((value): number | undefined => {
    if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
    if (/^\d+$/.test(value.trim())) return Number(value.trim());
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }),
);
