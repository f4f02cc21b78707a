// A proxy that answers badly on purpose, for tests/misbehaving.rs (the browser library
// against malformed proxy answers). A real HTTP server on loopback: no real proxy misbehaves
// on demand. Started by scripts/test-browser.sh with REAL_PROXY set to the real proxy.
//
// A register's proxyUrl is `{this}/s/{scenario}`; each scenario answers one kind of request
// badly (listed below) and forwards the rest to REAL_PROXY, so a payment can still be made,
// paid and followed through the real proxy. Every request is logged per scenario:
// `GET /log/{scenario}` answers `[{ method, path, body }]`.
//
// Prints `misbehaving proxy listening on http://127.0.0.1:PORT` once listening.
import http from "node:http";

const real = process.env.REAL_PROXY;
if (!real) throw new Error("REAL_PROXY is not set");

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST",
  "access-control-allow-headers": "authorization, content-type, last-event-id",
  "access-control-max-age": "600",
};
const log = new Map();
const polls = new Map();
const streams = new Set();

function view(id, body, over = {}) {
  const now = Date.now();
  return {
    merchantTransactionId: id, transactionId: "2026112500000001", status: "PROCESSING",
    amount: body?.amount ?? "12.50", currency: body?.currency ?? "USD", method: body?.method ?? "ALIPAY",
    qrCode: "http://127.0.0.1:9/wallet/2026112500000001", qrUrl: null, qrCodeExpiredAt: now + 300_000,
    refundedAmount: "0.00", refundableAmount: "0.00", resultCode: "002000", resultDescription: null,
    lateSuccess: false, remark: null, createdAt: now, updatedAt: now, serverTime: now, ...over,
  };
}

function answer(res, status, headers, body) {
  res.writeHead(status, { ...CORS, ...headers });
  res.end(body);
}
const json = (res, status, value) =>
  answer(res, status, { "content-type": "application/json" }, typeof value === "string" ? value : JSON.stringify(value));

// Bad answers to the create (POST /v1/payments).
const creates = {
  "bad-json": (res) => json(res, 201, '{"merchantTransactionId":'),
  "missing-fields": (res, b) => json(res, 201, { merchantTransactionId: b.merchantTransactionId }),
  "unknown-status": (res, b) => json(res, 201, view(b.merchantTransactionId, b, { status: "PAID" })),
  "html-200": (res) => answer(res, 200, { "content-type": "text/html" }, "<html><body>Sign in to the Wi-Fi</body></html>"),
  "huge-body": (res) => answer(res, 200, { "content-type": "application/json" }, '{"merchantTransactionId":"' + "x".repeat(8 << 20)),
  "no-content-204": (res) => answer(res, 204, {}, ""),
  "redirect-307": (res) => answer(res, 307, { location: "/s/redirected/v1/payments" }, ""),
  "bad-gateway-html": (res) => answer(res, 502, { "content-type": "text/html" }, "<h1>502 Bad Gateway</h1>"),
  "teapot-unknown-code": (res) => json(res, 418, { code: "I_AM_A_TEAPOT", message: "short and stout" }),
  "error-body-with-200": (res) => json(res, 200, { code: "INTERNAL", message: "but 200" }),
  "empty-object": (res) => json(res, 201, {}),
  "json-null": (res) => json(res, 201, "null"),
  "array-of-views": (res, b) => json(res, 201, [view(b.merchantTransactionId, b)]),
  "id-as-number": (res, b) => json(res, 201, view(42, b)),
  "negative-time": (res, b) => json(res, 201, view(b.merchantTransactionId, b, { createdAt: -1 })),
  "fractional-expiry": (res, b) => json(res, 201, view(b.merchantTransactionId, b, { qrCodeExpiredAt: 1.5 })),
  "another-payment": (res, b) => json(res, 201, view("PQ-SOMEONE-ELSE", b)),
  "another-amount": (res, b) => json(res, 201, view(b.merchantTransactionId, b, { amount: "1250.00" })),
  "another-currency": (res, b) => json(res, 201, view(b.merchantTransactionId, b, { currency: "JPY", amount: "12" })),
  "another-method": (res, b) => json(res, 201, view(b.merchantTransactionId, b, { method: "WECHAT" })),
  "no-cors": (res, b) => {
    res.writeHead(201, { "content-type": "application/json" });
    res.end(JSON.stringify(view(b.merchantTransactionId, b)));
  },
};

// Bad answers to the first polls (GET /v1/payments/{id}) of a payment, in order; later
// polls are forwarded.
const badPolls = {
  "flaky-polls-a": [
    (res) => json(res, 200, "{not json"),
    (res, id) => json(res, 200, view(id, null, { status: "PAID" })),
    (res) => json(res, 200, view("PQ-SOMEONE-ELSE", null, { status: "FAILED" })),
  ],
  "flaky-polls-b": [
    (res) => answer(res, 500, { "content-type": "text/html" }, "<h1>oops</h1>"),
    (res) => json(res, 200, { code: "INTERNAL", message: "an error with 200" }),
    (res) => answer(res, 404, { "content-type": "text/html" }, "<h1>Not Found</h1>"),
    (res, id) => json(res, 200, view(id, null, { status: "FAILED", updatedAt: -5 })),
  ],
};

// Garbage for the event stream, about payment `id`.
function garbage(id) {
  const full = (over) => JSON.stringify(view(id, null, over));
  return [
    ": a comment\n\n",
    "event: payment\ndata: not json at all\n\n",
    `event: payment\ndata: {"merchantTransactionId":"${id}","status":"FAILED"}\n\n`,
    `event: payment\ndata: ${full({ status: "PAID" })}\n\n`,
    `event: payment\ndata: ${JSON.stringify(view("PQ-NOT-FOLLOWED", null, { status: "SUCCESS" }))}\n\n`,
    `data: ${full({ status: "FAILED" })}\n\n`,
    "event: refund\ndata: {}\n\n",
    "id: not-a-number\nevent: payment\ndata: [1,2,3]\n\n",
    `event: payment\ndata: ${full({ status: "FAILED", qrCodeExpiredAt: "soon" })}\n\n`,
    "retry: 50\n\n",
  ].join("");
}

async function forward(req, res, path, body) {
  const headers = {};
  for (const h of ["authorization", "content-type", "last-event-id"]) if (req.headers[h]) headers[h] = req.headers[h];
  const r = await fetch(real + path, { method: req.method, headers, body: req.method === "GET" ? undefined : body });
  const text = await r.text();
  answer(res, r.status, { "content-type": r.headers.get("content-type") || "application/json" }, text);
  return text;
}

const server = http.createServer((req, res) => {
  let chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    try {
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url, "http://x");
      if (req.method === "OPTIONS") return answer(res, 204, {}, "");
      const logged = url.pathname.match(/^\/log\/([^/]+)$/);
      if (logged) return json(res, 200, log.get(logged[1]) || []);
      const m = url.pathname.match(/^\/s\/([^/]+)(\/.*)$/);
      if (!m) return json(res, 404, { code: "NOT_FOUND", message: "no scenario" });
      const [, scenario, path] = m;
      let body = null;
      try { body = raw ? JSON.parse(raw) : null; } catch { /* logged raw */ }
      if (!log.has(scenario)) log.set(scenario, []);
      log.get(scenario).push({ method: req.method, path, body: raw });

      if (req.method === "POST" && path === "/v1/payments" && creates[scenario]) return creates[scenario](res, body || {});
      const poll = path.match(/^\/v1\/payments\/([^/]+)$/);
      if (req.method === "GET" && poll && badPolls[scenario]) {
        const n = polls.get(poll[1]) || 0;
        polls.set(poll[1], n + 1);
        if (n < badPolls[scenario].length) return badPolls[scenario][n](res, poll[1]);
      }
      if (scenario === "garbage-stream") {
        if (path === "/v1/events/tickets") return json(res, 201, { ticket: "not-a-real-ticket", expiresAt: Date.now() + 120_000 });
        if (path === "/v1/events") {
          const n = (polls.get("stream") || 0) + 1;
          polls.set("stream", n);
          if (n % 2 === 0) return answer(res, 200, { "content-type": "text/plain" }, "event: payment\ndata: {}\n\n");
          res.writeHead(200, { ...CORS, "content-type": "text/event-stream", "cache-control": "no-store" });
          for (const id of streams) res.write(garbage(id));
          return setTimeout(() => res.end(), 300);
        }
      }
      if (scenario === "another-refund" && req.method === "POST" && path.endsWith("/refunds") && !polls.get(path)) {
        polls.set(path, 1);
        const now = Date.now();
        return json(res, 201, {
          merchantTransactionId: path.split("/")[3], merchantRefundId: "RF-SOMEONE-ELSE", refundId: null,
          status: "SUCCESS", amount: body?.amount, currency: "USD", resultCode: null, resultDescription: null,
          createdAt: now, updatedAt: now, serverTime: now,
        });
      }
      const text = await forward(req, res, path, raw);
      if (req.method === "POST" && path === "/v1/payments") {
        try { streams.add(JSON.parse(text).merchantTransactionId); } catch { /* not a view */ }
      }
    } catch (e) {
      if (!res.headersSent) json(res, 599, { code: "TEST_SERVER", message: String(e) });
    }
  });
});

server.listen(0, "127.0.0.1", () => {
  console.log(`misbehaving proxy listening on http://127.0.0.1:${server.address().port}`);
});
