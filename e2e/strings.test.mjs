// The demo register's string tables (www/strings.js): English and Chinese hold the same keys
// with the same {placeholders}; every key the page and register.js use exists in both; every
// status and error code the library has gets words in both. (No browser: the tables are data.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./lib/harness.mjs";
import { STRINGS } from "../www/strings.js";
import { ErrorCode, PaymentStatus, RefundStatus } from "../pkg/index.js";

const LANGS = ["en", "zh"];

/** [dotted key, value] of every leaf; array items are keyed by index. */
function leaves(tree, prefix = "") {
  return Object.entries(tree).flatMap(([k, v]) =>
    v !== null && typeof v === "object" ? leaves(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]],
  );
}

const lookup = (lang, key) => key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), STRINGS[lang]);
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("English and Chinese hold the same keys, each a non-empty string with the same placeholders", () => {
  assert.deepEqual(Object.keys(STRINGS).sort(), LANGS);
  const en = new Map(leaves(STRINGS.en));
  const zh = new Map(leaves(STRINGS.zh));
  assert.deepEqual([...zh.keys()].sort(), [...en.keys()].sort(), "the same keys");
  assert.ok(en.size > 100, `${en.size} strings`);
  for (const [key, text] of en) {
    for (const [lang, value] of [["en", text], ["zh", zh.get(key)]]) {
      assert.equal(typeof value, "string", `${lang} ${key}`);
      assert.ok(value.trim().length > 0, `${lang} ${key} is empty`);
    }
    assert.deepEqual(placeholders(zh.get(key)), placeholders(text), `placeholders of ${key}`);
  }
  // Chinese is Chinese: every string but the switch back to English has CJK characters.
  const english = new Set(["langSwitch", "langSwitchLabel"]);
  for (const [key, value] of zh) {
    if (!english.has(key)) assert.match(value, /[\u3400-\u9fff]/, `zh ${key} is not translated: ${value}`);
  }
  // Result screens are [title, detail] in both.
  for (const lang of LANGS) {
    for (const [kind, pair] of Object.entries(STRINGS[lang].result)) assert.equal(pair.length, 2, `${lang} result.${kind}`);
  }
});

test("every key the page and register.js use exists in both languages", () => {
  const html = readFileSync(join(root, "www/index.html"), "utf8");
  const js = readFileSync(join(root, "www/register.js"), "utf8");
  const keys = new Set();
  for (const [, key] of html.matchAll(/data-i18n(?:-aria)?="([^"]+)"/g)) keys.add(key);
  // Literal keys in t(…) calls (both branches of a conditional; not the values compared
  // with ===), and those stored for later (`key: "refundDone"`).
  for (const m of js.matchAll(/\bt\(/g)) {
    let depth = 0;
    let end = m.index + 1;
    for (; end < js.length; end++) {
      if (js[end] === "(") depth++;
      else if (js[end] === ")" && --depth === 0) break;
      else if (js[end] === "," && depth === 1) break;
    }
    for (const [, key] of js.slice(m.index + 2, end).matchAll(/(?<!===?\s*)"([a-zA-Z][\w.]*)"/g)) keys.add(key);
  }
  for (const [, key] of js.matchAll(/\bkey: "(\w+)"/g)) keys.add(key);
  assert.ok(keys.size > 40, `${keys.size} keys found`);
  for (const key of keys) {
    for (const lang of LANGS) assert.equal(typeof lookup(lang, key), "string", `${lang} has ${key}`);
  }
  // The result screens register.js draws (its ICONS) all have words.
  const kinds = [...js.slice(js.indexOf("const ICONS = {")).matchAll(/^\s+(\w+): "M/gm)].map((m) => m[1]);
  assert.deepEqual(kinds.sort(), ["CANCEL", "CLOSED", "FAILED", "STOPPED", "SUCCESS", "UNKNOWN"]);
  for (const lang of LANGS) assert.deepEqual(Object.keys(STRINGS[lang].result).sort(), kinds);
});

test("every status and error code of the library has words in both languages", () => {
  const journalStates = ["SENDING", "UNKNOWN"];
  for (const lang of LANGS) {
    for (const s of [...Object.values(PaymentStatus), ...journalStates]) assert.ok(STRINGS[lang].status[s], `${lang} status.${s}`);
    for (const s of [...Object.values(RefundStatus), ...journalStates]) assert.ok(STRINGS[lang].refundStatus[s], `${lang} refundStatus.${s}`);
    for (const code of Object.values(ErrorCode)) assert.ok(STRINGS[lang].errors[code], `${lang} errors.${code}`);
  }
});
