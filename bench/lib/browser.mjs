// Measures 2, 3, 4 and 6 in headless Chromium (playwright-core, via the e2e harness): the
// page bench/web/index.html, served by the proxy under test, driven through `window.bench`.
import { launchBrowser, waitFor, watchErrors } from "../../e2e/lib/harness.mjs";

export { launchBrowser };

/**
 * A fresh context and page on the benchmark page. The document gets COOP/COEP headers
 * (added here: the proxy serves plain files) so the page is cross-origin isolated and
 * `performance.now()` has 5 µs resolution instead of 100 µs; and loses the proxy's page
 * policy, written for the demo register (the benchmark page has inline code).
 */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.route(`${url}/index.html`, async (route) => {
    const response = await route.fetch();
    const { "content-security-policy": _policy, ...headers } = response.headers();
    await route.fulfill({
      response,
      headers: {
        ...headers,
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
      },
    });
  });
  await page.goto(`${url}/index.html`);
  await waitFor(() => page.evaluate(() => !!window.bench), { timeoutMs: 30_000, what: "the benchmark page" });
  return {
    page,
    run: async (fn, arg) => {
      const out = await page.evaluate(([f, a]) => window.bench[f](a), [fn, arg]);
      errors.check();
      return out;
    },
    close: () => context.close(),
  };
}

/** Measure 2: every library's render and SVG timings (one page, rounds interleaved). */
export async function renderBench(browser, url, { text, n, warmup }) {
  const p = await openPage(browser, url);
  try {
    return await p.run("render", { text, n, warmup });
  } finally {
    await p.close();
  }
}

/** Measure 4: startPayment → QR painted, `n` in a row. */
export async function clickToQr(browser, url, { n, warmup }) {
  const p = await openPage(browser, url);
  try {
    return await p.run("clickToQr", { n, warmup });
  } finally {
    await p.close();
  }
}

/** Measure 3 with push: pay → waitForPayment resolved, `n` in a row. */
export async function payToPaidPush(browser, url, { n, warmup }) {
  const p = await openPage(browser, url);
  try {
    return await p.run("payToPaidPush", { n, warmup });
  } finally {
    await p.close();
  }
}

/**
 * Measure 3 with polling alone: `pages` registers (each its own browser context), each with
 * `perPage` payments at once, paid at a random moment in `delayMs`.
 */
export async function payToPaidPolling(browser, url, { pages, perPage, delayMs }) {
  const opened = await Promise.all(Array.from({ length: pages }, () => openPage(browser, url)));
  try {
    const results = await Promise.all(
      opened.map((p, i) => p.run("payToPaidPolling", { n: perPage, delayMs, key: `bench-poll-${i}` })),
    );
    return { total: results.flatMap((r) => r.total) };
  } finally {
    await Promise.all(opened.map((p) => p.close()));
  }
}

/** Which register call a request of the page is. */
function kind(method, path) {
  if (method === "POST" && path === "/v1/payments") return "create";
  if (method === "GET" && /^\/v1\/payments\/[^/]+$/.test(path)) return "poll";
  if (method === "POST" && path === "/v1/events/tickets") return "ticket";
  if (method === "GET" && path === "/v1/events") return "stream";
  return "other";
}

/**
 * Measure 6: the HTTP requests one register makes for one payment paid `afterS` seconds
 * after its create, with push on or off: all scenarios at once, each in its own context.
 * The driver pays through the wallet's JSON route (not counted: the consumer's phone does it).
 */
export async function requestCounts(browser, url, scenarios) {
  const runs = scenarios.map(async ({ push, afterS }) => {
    const p = await openPage(browser, url);
    const counts = { create: 0, poll: 0, ticket: 0, stream: 0, other: 0 };
    let counting = true;
    p.page.on("request", (r) => {
      const u = new URL(r.url());
      if (!counting || u.origin !== url || !u.pathname.startsWith("/v1/")) return;
      counts[kind(r.method(), u.pathname)] += 1;
    });
    try {
      const created = Date.now();
      const payment = await p.run("countStart", { push, key: `bench-count-${push}-${afterS}` });
      await new Promise((r) => setTimeout(r, Math.max(0, created + afterS * 1000 - Date.now())));
      const res = await fetch(`${url}/sandbox/wallet/${encodeURIComponent(payment.transactionId)}/pay`, { method: "POST" });
      if (!res.ok) throw new Error(`wallet pay answered ${res.status}`);
      const status = await p.run("countEnd");
      counting = false;
      if (status !== "SUCCESS") throw new Error(`payment ended ${status}`);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      return { push, afterS, ...counts, total };
    } finally {
      await p.close();
    }
  });
  return Promise.all(runs);
}
