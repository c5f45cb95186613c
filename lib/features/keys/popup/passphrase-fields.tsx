/**
 * A GPG key's passphrase, typed twice: the fields (the generate form's and the RSA 4096 offer's) and
 * the check both make before generating.
 */
import { GPG_PASSPHRASE_MIN } from '../gpg-generate';

/** What is wrong with the pair, as a sentence; null when it will do. */
export function passphraseProblem(passphrase: string, repeat: string): string | null {
  if (passphrase.length < GPG_PASSPHRASE_MIN) {
    return `Choose a passphrase of at least ${GPG_PASSPHRASE_MIN} characters.`;
  }
  return passphrase === repeat ? null : 'The passphrases differ.';
}

export function PassphraseFields(props: {
  passphrase: string;
  repeat: string;
  disabled: boolean;
  onPassphrase: (value: string) => void;
  onRepeat: (value: string) => void;
  /** The fields' form names (the generate form has them; the offer's fields need none). */
  names?: { passphrase: string; repeat: string };
}) {
  return (
    <div class="row key-generate-fields">
      <label class="field grow">
        Passphrase
        <input
          type="password"
          name={props.names?.passphrase}
          autoComplete="new-password"
          value={props.passphrase}
          disabled={props.disabled}
          onInput={(e) => props.onPassphrase(e.currentTarget.value)}
        />
      </label>
      <label class="field grow">
        Repeat passphrase
        <input
          type="password"
          name={props.names?.repeat}
          autoComplete="new-password"
          value={props.repeat}
          disabled={props.disabled}
          onInput={(e) => props.onRepeat(e.currentTarget.value)}
        />
      </label>
    </div>
  );
}
