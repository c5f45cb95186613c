/**
 * Fault injection: make the simulator misbehave on purpose for requests whose path (below the
 * context path) starts with a prefix, or for every request with '*'. The longest matching prefix
 * wins. `/rest/<module>/latest/…` and `/rest/<module>/1.0/…` are treated as the same path.
 */

interface FaultLimit {
  /** Apply this many times, then remove the fault. */
  times?: number;
}

export type Fault = FaultLimit &
  (
    | { latencyMs: number }
    | { status: 500 | 502 | 503 }
    | { status: 429; retryAfterSeconds: number }
    /** 302 to a single sign-on login page (on the simulator's own origin), which then shows a login form. */
    | { ssoRedirect: true }
    /**
     * 302 to the same address on https:// (another origin), as a server or proxy moving plain-HTTP
     * clients to https does.
     */
    | { httpsRedirect: true }
    /**
     * Answers normally, but the JSON answer's string field `pad` (of the object, or of every item of
     * a page) is padded with "x" to `length` characters: a huge answer.
     */
    | { pad: string; length: number }
    /** 200 text/html (a login page) instead of JSON. */
    | { html: true }
    /** Close the connection without an answer. */
    | { dropConnection: true }
  );

interface Entry {
  prefix: string;
  fault: Fault;
  remaining?: number;
}

function normalise(path: string): string {
  return path.replace(/^\/rest\/([^/]+)\/latest(?=\/|$)/, '/rest/$1/1.0');
}

function matches(prefix: string, path: string): boolean {
  if (prefix === '*') return true;
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`);
}

export class Faults {
  private readonly entries = new Map<string, Entry>();

  /** Installs (or replaces) the fault for a path prefix such as '/rest/api/1.0/users', or '*'. */
  set(pathPrefix: string, fault: Fault): void {
    const prefix =
      pathPrefix === '*' ? '*' : normalise(pathPrefix.startsWith('/') ? pathPrefix : `/${pathPrefix}`);
    this.entries.set(prefix, {
      prefix,
      fault,
      ...(fault.times !== undefined ? { remaining: fault.times } : {}),
    });
  }

  /** Removes the fault for one prefix, or all faults. */
  clear(pathPrefix?: string): void {
    if (pathPrefix === undefined) this.entries.clear();
    else this.entries.delete(pathPrefix === '*' ? '*' : normalise(pathPrefix));
  }

  /** The faults currently installed. */
  list(): Array<{ prefix: string; fault: Fault; remaining?: number }> {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  /**
   * The fault to apply to a request path, counting one use of it. `exempt` lets the caller skip
   * faults that must not apply (the single sign-on page itself is never redirected to itself).
   */
  take(path: string, exempt?: (fault: Fault) => boolean): Fault | undefined {
    const target = normalise(path);
    let best: Entry | undefined;
    for (const entry of this.entries.values()) {
      if (!matches(entry.prefix, target) || exempt?.(entry.fault)) continue;
      if (
        !best ||
        best.prefix === '*' ||
        (entry.prefix !== '*' && entry.prefix.length > best.prefix.length)
      ) {
        best = entry;
      }
    }
    if (!best) return undefined;
    if (best.remaining !== undefined) {
      best.remaining--;
      if (best.remaining <= 0) this.entries.delete(best.prefix);
    }
    return best.fault;
  }
}
