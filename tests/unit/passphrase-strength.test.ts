import { describe, expect, it } from 'vitest';
import { estimatePassphrase } from '../../lib/ui/passphrase-strength';

describe('export passphrase strength', () => {
  it.each(['12345678', 'password1', 'qwertyuiop', 'aaaaaaaaaaaa', 'alice2026!'])(
    'refuses %s for new exports, saying why',
    async (weak) => {
      const estimate = await estimatePassphrase(weak);
      expect(estimate.acceptable).toBe(false);
      expect(estimate.summary).toMatch(/^Strength: (very weak|weak|fair) — too easy to guess/);
    },
  );

  it.each(['violet tractor under ninety clouds', 'Gx7#pQ2!vLm9@wR4'])('accepts %s', async (strong) => {
    const estimate = await estimatePassphrase(strong);
    expect(estimate).toMatchObject({ acceptable: true });
    expect(estimate.summary).toMatch(/^Strength: (strong|very strong)\.$/);
  });
});
