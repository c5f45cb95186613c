/**
 * How hard an export passphrase is to guess, estimated with zxcvbn-ts (pattern matching against
 * common passwords, names, words, dates, keyboard runs and l33t). Its dictionaries are large, so the
 * library is loaded on first use by the page that asks (the options page), never by the service
 * worker or the popup.
 */
export interface PassphraseEstimate {
  /** 0 (guessed at once) … 4 (very hard). */
  score: 0 | 1 | 2 | 3 | 4;
  /** Strong enough to protect tokens in a file that may leave this computer. */
  acceptable: boolean;
  /** One sentence for the user: what is wrong, or that it is fine. */
  summary: string;
}

/** The lowest score accepted for new exports ("safely unguessable" in zxcvbn's terms). */
export const MINIMUM_SCORE = 3;

const WORDS = ['very weak', 'weak', 'fair', 'strong', 'very strong'] as const;

type Checker = (text: string) => {
  score: 0 | 1 | 2 | 3 | 4;
  feedback: { warning: string | null; suggestions: string[] };
};

let loading: Promise<Checker> | undefined;

function loadChecker(): Promise<Checker> {
  loading ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(([core, common, en]) => {
    const factory = new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
    return (text: string) => factory.check(text);
  });
  return loading;
}

/** Starts loading the estimator ahead of the first keystroke. */
export function preloadPassphraseEstimator(): void {
  void loadChecker().catch(() => {
    loading = undefined;
  });
}

export async function estimatePassphrase(text: string): Promise<PassphraseEstimate> {
  const check = await loadChecker();
  // Only the start is looked at: the estimate is about guessing, and long input would be slow.
  const result = check(text.slice(0, 100));
  const acceptable = result.score >= MINIMUM_SCORE;
  const hint = [result.feedback.warning, ...result.feedback.suggestions]
    .filter((s): s is string => Boolean(s?.trim()))
    .map((s) => s.trim().replace(/([^.!?])$/, '$1.'))
    .join(' ');
  const summary = acceptable
    ? `Strength: ${WORDS[result.score]}.`
    : `Strength: ${WORDS[result.score]} — too easy to guess for a file that holds tokens.${hint ? ` ${hint}` : ' Add more words.'}`;
  return { score: result.score, acceptable, summary };
}
