import { vi } from 'vitest';
import { browser } from 'wxt/browser';

interface Script {
  id: string;
  js?: string[];
  matches?: string[];
  runAt?: string;
  persistAcrossSessions?: boolean;
}

/** Schemes Chrome accepts in a content script's match patterns. */
const VALID_SCHEME = /^(\*|https?|file|ftp|urn|wss?):\/\//;

/**
 * The registered-content-script part of chrome.scripting, as Chrome behaves: a call is all or
 * nothing, a pattern with another scheme throws "Invalid scheme", duplicate and unknown ids throw.
 * fakeBrowser leaves these methods unimplemented. `reject(match)` makes registration of matching
 * patterns fail the way a browser-specific refusal would.
 */
export function fakeScripting(options: { reject?: (pattern: string) => boolean } = {}) {
  const scripts = new Map<string, Script>();
  const calls = { register: 0, unregister: 0 };
  const copy = (s: Script): Script => structuredClone(s);
  const api = browser.scripting as unknown as Record<string, unknown>;
  const getRegistered = vi.fn(async (filter?: { ids?: string[] }) =>
    [...scripts.values()].filter((s) => !filter?.ids || filter.ids.includes(s.id)).map(copy),
  );
  const register = vi.fn(async (list: Script[]) => {
    calls.register++;
    for (const script of list) {
      if (scripts.has(script.id) || list.filter((s) => s.id === script.id).length > 1) {
        throw new Error(`Duplicate script ID '${script.id}'`);
      }
      (script.matches ?? []).forEach((pattern, i) => {
        if (!VALID_SCHEME.test(pattern) || options.reject?.(pattern)) {
          throw new Error(
            `Script with ID '${script.id}' has invalid value for matches[${i}]: Invalid scheme.`,
          );
        }
      });
    }
    for (const script of list) scripts.set(script.id, copy({ runAt: 'document_idle', ...script }));
  });
  const unregister = vi.fn(async (filter?: { ids?: string[] }) => {
    calls.unregister++;
    const ids = filter?.ids ?? [...scripts.keys()];
    for (const id of ids) if (!scripts.has(id)) throw new Error(`Nonexistent script ID '${id}'`);
    for (const id of ids) scripts.delete(id);
  });
  api.getRegisteredContentScripts = getRegistered;
  api.registerContentScripts = register;
  api.unregisterContentScripts = unregister;
  return {
    scripts,
    calls,
    getRegistered,
    register,
    unregister,
    ids: () => [...scripts.keys()].sort(),
  };
}
