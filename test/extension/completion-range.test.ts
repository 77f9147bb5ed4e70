import assert from "node:assert/strict";
import { test } from "node:test";
import { sigilPrefixLength } from "../../extension/completion-range";

test("a name completed after an AT&T `$` leaves the `$` in place", () => {
  assert.equal(sigilPrefixLength("$GUEST_", "GUEST_CR0"), 1);
});
test("a %register item replaces the whole `%ra` word", () => {
  assert.equal(sigilPrefixLength("%ra", "%rax"), 0);
});
test("`$%` (an immediate of a register-like name) keeps both sigils for a plain name", () => {
  assert.equal(sigilPrefixLength("$%x", "xyz"), 2);
  assert.equal(sigilPrefixLength("$%x", "%xyz"), 1);
});
test("words without sigils are untouched", () => {
  assert.equal(sigilPrefixLength("GUEST_", "GUEST_CR0"), 0);
  assert.equal(sigilPrefixLength("", "rax"), 0);
});
