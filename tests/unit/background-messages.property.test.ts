/**
 * Property: whatever arrives on the message channel, from whichever sender, the background never
 * throws, changes nothing it was not allowed to, and answers a web page only with what its content
 * script may hear. Runs the real handlers and router over a real (in-memory) database.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createHandlers } from '../../lib/background/handlers';
import { listen } from '../../lib/background/router';
import { CompanionDb, type ProfileRecord } from '../../lib/db/schema';
import { RequestSchema } from '../../lib/messaging/protocol';
import type { SenderInfo } from '../../lib/messaging/sender-policy';

const EXTENSION_ORIGIN = `chrome-extension://${fakeBrowser.runtime.id}`;
const CONNECTED = 'https://git.example.com';

const PROFILE: ProfileRecord = {
  id: 'p-1',
  label: 'Alice @ git.example.com',
  baseUrl: `${CONNECTED}/bitbucket`,
  origin: CONNECTED,
  user: { id: 1, name: 'alice', slug: 'alice', displayName: 'Alice' },
  server: { version: '9.4.13', displayName: 'Example', support: 'supported' },
  access: { repoRead: true, repoWrite: true, repoAdmin: false, projectAdmin: false },
  token: null,
  createdAt: 1,
  verifiedAt: 1,
  lastUsedAt: 1,
};

let db: CompanionDb;
let refreshes = 0;
beforeEach(async () => {
  fakeBrowser.reset();
  db = new CompanionDb(`property-${Math.random()}`);
  await db.profiles.put(PROFILE);
  await db.settings.put({ key: 'activeProfileId', value: PROFILE.id });
  refreshes = 0;
  const handlers = createHandlers(db, {
    refreshContentScripts: async () => {
      refreshes++;
    },
  });
  listen(handlers, async () => new Set((await db.profiles.toArray()).map((p) => p.origin)));
});
afterEach(async () => {
  await db.delete();
});

/** Delivers one message as the browser would and returns what the background answered. */
async function deliver(message: unknown, sender: SenderInfo): Promise<unknown> {
  // The fake browser types its sender loosely; the router reads only the fields of SenderInfo.
  const asSent = sender as Parameters<typeof fakeBrowser.runtime.onMessage.trigger>[1];
  const results = await fakeBrowser.runtime.onMessage.trigger(message, asSent, () => {});
  return results.find((r) => r !== undefined);
}

async function snapshot() {
  return {
    profiles: await db.profiles.toArray(),
    settings: await db.settings.toArray(),
    session: await browser.storage.session.get(null),
  };
}

const TYPES = [
  'connect',
  'profiles.activate',
  'profiles.rename',
  'profiles.remove',
  'profiles.check',
  'profiles.export',
  'profiles.import',
  'page.report',
  'tab.context',
  'keys.session.start',
  'keys.page.state',
  'keys.page.generate',
  'keys.page.installed',
  'keys.page.dismiss',
] as const;

/** What the keys page's content script may ask (see lib/features/keys/page-messages.ts). */
const KEYS_PAGE_TYPES: ReadonlySet<unknown> = new Set([
  'keys.page.state',
  'keys.page.generate',
  'keys.page.installed',
  'keys.page.dismiss',
]);

/** Messages of every type with plausible and hostile field values, plus arbitrary junk. */
const anyValue = fc.oneof(
  fc.string(),
  fc.constant(PROFILE.id),
  fc.constant(`${CONNECTED}/bitbucket`),
  fc.constant('https://other.example.com'),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ minLength: 2001, maxLength: 2100 }),
  fc.object(),
);
const shapedMessage = fc
  .record({
    type: fc.constantFrom(...TYPES),
    profileId: fc.option(fc.oneof(fc.constant(PROFILE.id), fc.string()), { nil: undefined }),
    label: fc.option(anyValue, { nil: undefined }),
    serverUrl: fc.option(anyValue, { nil: undefined }),
    token: fc.option(anyValue, { nil: undefined }),
    passphrase: fc.option(anyValue, { nil: undefined }),
    content: fc.option(anyValue, { nil: undefined }),
    tabId: fc.option(fc.oneof(fc.integer(), anyValue), { nil: undefined }),
    keyId: fc.option(fc.oneof(fc.constant('k-1'), anyValue), { nil: undefined }),
    kind: fc.option(fc.oneof(fc.constantFrom('ssh', 'gpg'), anyValue), { nil: undefined }),
    signedInAs: fc.option(fc.oneof(fc.constant('alice'), anyValue), { nil: undefined }),
    serverKeyId: fc.option(fc.oneof(fc.nat(), anyValue), { nil: undefined }),
    context: fc.option(
      fc.record({
        kind: fc.constantFrom('repository', 'project', 'other', 'evil'),
        baseUrl: anyValue,
        projectKey: fc.option(fc.string(), { nil: undefined }),
      }),
      { nil: undefined },
    ),
  })
  .map((m) => Object.fromEntries(Object.entries(m).filter(([, value]) => value !== undefined)));
const anyMessage = fc.oneof(shapedMessage, fc.anything());

/** Senders that are not the extension's own pages. */
const foreignSender = fc.oneof(
  // Another extension.
  fc.record({ id: fc.constant('another-extension'), url: fc.constant(`${EXTENSION_ORIGIN}/popup.html`) }),
  // A content script in a tab of a server without a profile.
  fc.record({
    id: fc.constant(fakeBrowser.runtime.id),
    url: fc.constantFrom('https://evil.example.com/projects/X', 'http://git.example.com/projects/X'),
    tab: fc.record({ id: fc.nat() }),
    frameId: fc.constant(0),
  }),
  // A frame inside a connected server's page.
  fc.record({
    id: fc.constant(fakeBrowser.runtime.id),
    url: fc.constant(`${CONNECTED}/bitbucket/projects/P`),
    origin: fc.constant(CONNECTED),
    tab: fc.record({ id: fc.nat() }),
    frameId: fc.integer({ min: 1, max: 5 }),
  }),
  // An extension-looking URL that is not this extension's origin.
  fc.record({
    id: fc.constant(fakeBrowser.runtime.id),
    url: fc.constant(`${EXTENSION_ORIGIN}x/popup.html`),
  }),
  // No tab at all.
  fc.record({ id: fc.constant(fakeBrowser.runtime.id), url: fc.string() }),
);

const connectedContentScript = fc.record({
  id: fc.constant(fakeBrowser.runtime.id),
  url: fc.constant(`${CONNECTED}/bitbucket/projects/P/repos/r/browse`),
  origin: fc.constant(CONNECTED),
  tab: fc.record({ id: fc.nat() }),
  frameId: fc.constant(0),
});

const RUNS = { numRuns: 150 };

describe('the background under arbitrary messages', () => {
  it('answers no one but its own pages and content scripts, and changes nothing for them', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(anyMessage, foreignSender, async (message, sender) => {
        expect(await deliver(message, sender)).toBeUndefined();
      }),
      RUNS,
    );
    expect(await snapshot()).toEqual(before);
    expect(refreshes).toBe(0);
  });

  it('a connected content script gets answers only to reports of its own server and its keys page’s questions, and can change nothing else', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(anyMessage, connectedContentScript, async (message, sender) => {
        const answer = await deliver(message, sender);
        const type =
          typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
        const isReport = type === 'page.report';
        if (KEYS_PAGE_TYPES.has(type)) {
          // About this origin's profile only; never a private part or a token in the answer.
          const text = JSON.stringify(answer ?? null);
          expect(text).not.toMatch(/PRIVATE KEY|"privateKey"|"token"/);
          const profileId = (message as { profileId?: unknown }).profileId;
          if (answer && (answer as { ok: boolean }).ok && type !== 'keys.page.state') {
            expect(profileId).toBe(PROFILE.id);
          }
        } else if (!isReport) expect(answer).toBeUndefined();
        else if (answer !== undefined) {
          // Only a well-formed report gets an answer; a report naming another server is refused.
          const context = (message as { context: { baseUrl: string } }).context;
          const own = (() => {
            try {
              return new URL(context.baseUrl).origin === CONNECTED;
            } catch {
              return false;
            }
          })();
          expect(answer).toMatchObject(own ? { ok: true } : { ok: false, error: { kind: 'refused' } });
        }
      }),
      RUNS,
    );
    const after = await snapshot();
    expect(after.profiles).toEqual(before.profiles);
    expect(after.settings).toEqual(before.settings);
    // Session storage holds only reports whose origin is the sender's.
    for (const value of Object.values(after.session)) {
      expect(new URL((value as { baseUrl: string }).baseUrl).origin).toBe(CONNECTED);
    }
  });

  it('the extension’s own pages get a sentence for malformed requests, never silence or a throw', async () => {
    const before = await snapshot();
    // Only requests that fail the protocol's schema (valid ones would legitimately act).
    const malformed = anyMessage.filter((m) => !v.safeParse(RequestSchema, m).success);
    await fc.assert(
      fc.asyncProperty(malformed, async (message) => {
        const answer = await deliver(message, {
          id: fakeBrowser.runtime.id,
          url: `${EXTENSION_ORIGIN}/popup.html`,
        });
        expect(answer).toMatchObject({ ok: false, error: { message: expect.stringMatching(/\S/) } });
      }),
      RUNS,
    );
    expect((await snapshot()).profiles).toEqual(before.profiles);
  });
});
