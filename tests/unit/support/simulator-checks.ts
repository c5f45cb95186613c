import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import type { Simulator } from '../../../simulator/index';

/**
 * Stops a simulator started with strict mode on and fails the test (or file) when any request the
 * code under test sent broke Atlassian's spec.
 */
export async function closeChecked(sim: Simulator): Promise<void> {
  await sim.close();
  expect(sim.violations).toEqual([]);
}

/** Signs `user` in through the login form (password = user name): the session cookie, "name=value". */
export async function sessionCookie(sim: Simulator, user: string): Promise<string> {
  const res = await fetch(`${sim.url}/j_atl_security_check`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ j_username: user, j_password: user }),
  });
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** Whether a git command line is on this machine (the simulator's real repositories need it). */
export const hasGit = (() => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
