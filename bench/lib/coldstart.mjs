// Measure 7, cold start: from navigation to the demo register ready to charge (`<body
// data-ready="true">`, set once the wasm is instantiated and the Register built), in a fresh
// browser context with the cache disabled, under Chromium's network emulation (CDP
// `Network.emulateNetworkConditions`). Profiles are interleaved round by round.
import { watchErrors } from "../../e2e/lib/harness.mjs";

/** Download and upload in bits per second, extra latency per request in ms. */
export const PROFILES = [
  { name: "loopback", latencyMs: 0, downBps: 0, upBps: 0 },
  { name: "slow 4G", latencyMs: 100, downBps: 4_000_000, upBps: 3_000_000 },
  { name: "fast 3G", latencyMs: 150, downBps: 1_600_000, upBps: 750_000 },
];

/** Records, in the page, when `<body data-ready>` turns "true" (ms since navigation start). */
function markReady() {
  new MutationObserver((_, observer) => {
    if (document.body?.dataset.ready === "true") {
      window.__readyAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
}

/**
 * One cold start of `url` under `profile`; `encodings` overrides the browser's
 * Accept-Encoding (e.g. "identity"). Resolves with { ms, bytes, requests }: the time to
 * ready, and what crossed the wire (encoded bytes, request count) until then.
 */
async function once(browser, url, profile, encodings) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  try {
    await page.addInitScript(markReady);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    if (encodings) await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": encodings } });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: profile.latencyMs,
      downloadThroughput: profile.downBps ? profile.downBps / 8 : -1,
      uploadThroughput: profile.upBps ? profile.upBps / 8 : -1,
    });
    let bytes = 0;
    let requests = 0;
    let counting = true;
    cdp.on("Network.requestWillBeSent", () => {
      if (counting) requests += 1;
    });
    cdp.on("Network.loadingFinished", (e) => {
      if (counting) bytes += e.encodedDataLength;
    });
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 60_000, polling: 20 });
    counting = false;
    const ms = await page.evaluate(() => window.__readyAt);
    errors.check();
    return { ms, bytes, requests };
  } finally {
    await context.close();
  }
}

/**
 * `n` cold starts per profile (after one unmeasured round), and per profile the same with
 * `Accept-Encoding: identity` (the files as they are: what compression saves).
 */
export async function coldStart(browser, url, { n, profiles = PROFILES }) {
  const variants = profiles.flatMap((p) => [
    { profile: p, encodings: null, key: `${p.name}` },
    { profile: p, encodings: "identity", key: `${p.name} uncompressed` },
  ]);
  const out = Object.fromEntries(variants.map((v) => [v.key, { profile: v.profile, compressed: !v.encodings, ms: [], bytes: [], requests: [] }]));
  for (let round = -1; round < n; round += 1) {
    for (const v of variants) {
      const r = await once(browser, `${url}/`, v.profile, v.encodings);
      if (round < 0) continue;
      const row = out[v.key];
      row.ms.push(r.ms);
      row.bytes.push(r.bytes);
      row.requests.push(r.requests);
    }
  }
  return Object.values(out);
}
