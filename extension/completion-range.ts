// The language configurations make `%rax` and `$0x10` single words (double-click, word navigation), but a
// completion for `$GUEST_CR0` is the name GUEST_CR0: VS Code would filter it against "$GUEST_" and replace
// the `$` too. The client's completion middleware therefore starts an item's range after the sigils the item
// itself does not begin with. Pure.

const SIGILS = /^[$%]+/;

/** How many leading characters of `word` (the word being completed) the item with `label` leaves alone. */
export function sigilPrefixLength(word: string, label: string): number {
  const sigils = SIGILS.exec(word)?.[0] ?? "";
  if (sigils.length === 0) return 0;
  let keep = sigils.length;
  // An item that itself starts with (some of) the sigils, such as `%rax`, takes the whole word.
  while (keep > 0 && !label.startsWith(sigils.slice(sigils.length - keep))) keep--;
  return sigils.length - keep;
}
