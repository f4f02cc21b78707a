// The report: markdown tables for the terminal and BENCHMARKS.md, and the goals with
// met/missed.
import { fmtBytes, fmtMs, summary } from "./stats.mjs";

const table = (head, rows) =>
  [`| ${head.join(" | ")} |`, `|${head.map((h, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

const kB = (n) => `${(n / 1000).toFixed(1)} kB`;

/** The project's performance goals, each with its figure, target and verdict. */
export function goals(r) {
  const out = [];
  if (r.size) {
    const shipped = r.size.shipped.reduce((a, f) => a + f.gzip, 0);
    out.push({ goal: "wasm + JS glue, gzip -9, with the design's crates", target: "≤ 100 kB", figure: `${kB(shipped)} (${(shipped / 100000).toFixed(2)}× the goal)`, met: shipped <= 100000 });
  }
  if (r.render) {
    const ours = summary(r.render.paint["pingpong-qr renderQr"]).median;
    const theirs = summary(r.render.paint["qrcode toCanvas"]).median;
    const ratio = ours / theirs;
    out.push({ goal: "QR render (encode + paint), median vs node-qrcode", target: "≤ 0.5×", figure: `${ratio.toFixed(2)}× (${fmtMs(ours)} vs ${fmtMs(theirs)} ms)`, met: ratio <= 0.5 });
  }
  if (r.payPush) {
    const m = summary(r.payPush.total).median;
    out.push({ goal: "pay → PAID with push, median", target: "≤ 300 ms", figure: `${fmtMs(m)} ms`, met: m <= 300 });
  }
  if (r.click) {
    const m = summary(r.click.painted).median;
    out.push({ goal: "click (startPayment) → QR painted, median", target: "≤ 30 ms", figure: `${fmtMs(m)} ms`, met: m <= 30 });
  }
  if (r.load) {
    const c = r.loadConcurrency;
    const row = (target, latency) => r.load.find((x) => x.target === target && x.concurrency === c && x.latencyMs === latency && !x.tmpfs);
    const ratio = row("proxy", 0).rps / row("sandbox", 0).rps;
    const slow = r.load.find((x) => x.latencyMs > 0);
    const far = slow ? row("proxy", slow.latencyMs).rps / row("sandbox", slow.latencyMs).rps : NaN;
    out.push({
      goal: `proxy create throughput vs sandbox direct (concurrency ${c}, loopback)`,
      target: "≥ 0.7×",
      figure: `${ratio.toFixed(2)}× (${row("proxy", 0).rps.toFixed(0)} vs ${row("sandbox", 0).rps.toFixed(0)} creates/s)` +
        (slow ? `; ${far.toFixed(2)}× with ${slow.latencyMs} ms acquirer latency` : ""),
      met: ratio >= 0.7,
    });
  }
  if (r.coldStart) {
    const row = r.coldStart.find((x) => x.profile.name === "fast 3G" && x.compressed);
    if (row) {
      const m = summary(row.ms).median;
      out.push({ goal: "cold start → register ready, fast 3G (1.6 Mb/s, 150 ms), median", target: "≤ 600 ms", figure: `${fmtMs(m)} ms`, met: m <= 600 });
    }
  }
  return out;
}

function latencyRows(entries) {
  return entries.map(([name, values, note = ""]) => {
    const s = summary(values);
    return [name, String(s.n), fmtMs(s.median), fmtMs(s.p95), fmtMs(s.min), fmtMs(s.max), note];
  });
}

/** Every section of the report as markdown (without the findings). */
export function sections(r) {
  const out = [];
  const m = r.machine;
  out.push(
    "## Machine\n\n" +
      table(["", ""], [
        ["CPU", `${m.cpu}, ${m.cores} cores`],
        ["memory", m.memory],
        ["OS", m.os],
        ["rustc", m.rustc],
        ["node", m.node],
        ["Chromium (headless, via playwright-core)", m.chromium],
        ["date", m.date],
        ["run", r.runNote],
      ]),
  );

  out.push(
    "## Goals\n\n" +
      table(["goal", "target", "measured", "verdict"], goals(r).map((g) => [g.goal, g.target, g.figure, g.met ? "**met**" : "**missed**"])),
  );

  const s = r.size ?? { shipped: [], references: [] };
  const wasm = s.shipped.filter((f) => f.kind === "wasm");
  const js = s.shipped.filter((f) => f.kind === "js");
  const sum = (fs, k) => fs.reduce((a, f) => a + f[k], 0);
  if (r.size) out.push(
    "## 1. Shipped size\n\n" +
      "`pkg/` as `scripts/build-pkg.sh` builds it; gzip -9 is zlib level 9 of each file.\n\n" +
      table(["file", "bytes", "gzip -9"], [
        ...s.shipped.map((f) => [`\`${f.file}\``, fmtBytes(f.raw), fmtBytes(f.gzip)]),
        ["**wasm**", fmtBytes(sum(wasm, "raw")), fmtBytes(sum(wasm, "gzip"))],
        ["**JS (glue, snippets, index.js)**", fmtBytes(sum(js, "raw")), fmtBytes(sum(js, "gzip"))],
        ["**total**", fmtBytes(sum(s.shipped, "raw")), `**${fmtBytes(sum(s.shipped, "gzip"))}**`],
      ]) +
      "\n\nThe npm libraries for reference (QR only: no payment logic), each as a register would use it " +
      "(canvas + SVG), bundled by esbuild (minified, ESM, browser):\n\n" +
      table(["package", "version", "min", "min + gzip -9"], s.references.map((x) => [x.name, x.version, fmtBytes(x.raw), fmtBytes(x.gzip)])) +
      (s.twiggy
        ? `\n\nWhat weighs in the wasm: \`twiggy top\` on wasm-bindgen's output before wasm-opt (names kept; ` +
          `${fmtBytes(s.twiggy.total)} bytes, of which ${fmtBytes(s.twiggy.counted)} are code and data, the rest the names section). ` +
          "Ten largest items:\n\n" +
          table(["item", "bytes"], s.twiggy.top.map((t) => [`\`${t.name.replace(/\|/g, "\\|").slice(0, 110)}\``, fmtBytes(t.bytes)])) +
          "\n\nBy crate (shallow bytes of every item, grouped by the crate of its path; generic code is counted where it is defined, e.g. `core`/`alloc` for `Vec<T>` methods):\n\n" +
          table(["crate", "bytes", "share"], s.twiggy.owners.map(([o, b]) => [o, fmtBytes(b), `${((100 * b) / s.twiggy.counted).toFixed(1)} %`]))
        : ""),
  );

  if (r.render) {
    const x = r.render;
    const names = Object.keys(x.paint);
    out.push(
      "## 2. QR encode + paint\n\n" +
        `Text: a ${r.text.length}-byte payment URL (\`${r.text}\`), ECC M, 256 × 256 px canvas at devicePixelRatio 1, ` +
        `quiet zone 4; ${x.paint[names[0]].length} renders per library after ${r.renderWarmup} warm-up rounds, ` +
        "interleaved (the order rotates each round), in one page. " +
        `Cross-origin isolated: ${x.crossOriginIsolated ? "yes (5 µs clock)" : "no (100 µs clock)"}. ` +
        "*paint* = the library call plus rasterisation (a 1-pixel `getImageData` read-back forces Chromium to " +
        "rasterise what was recorded); *call* = the library call alone. Each canvas was decoded with jsQR back to the text. " +
        `Symbol: ${x.ourModules} modules per side for pingpong-qr; ` +
        Object.entries(x.modules).map(([k, v]) => `${k} ${v}`).join(", ") + ".\n\n" +
        table(
          ["library", "n", "paint median ms", "paint p95 ms", "call median ms", "call p95 ms", "vs node-qrcode (paint median)", "decodes"],
          names.map((k) => {
            const p = summary(x.paint[k]);
            const c = summary(x.call[k]);
            const base = summary(x.paint["qrcode toCanvas"]).median;
            return [k, String(p.n), fmtMs(p.median), fmtMs(p.p95), fmtMs(c.median), fmtMs(c.p95), `${(p.median / base).toFixed(2)}×`, x.decodes[k] ? "yes" : "**no**"];
          }),
        ) +
        "\n\nlean-qr paints one pixel per module and lets CSS scale the canvas up (`image-rendering: pixelated`); the others paint 256 × 256 pixels.\n\n" +
        "SVG generation (the document as a string):\n\n" +
        table(
          ["library", "n", "median ms", "p95 ms", "bytes", "vs node-qrcode (median)"],
          Object.keys(x.svg).map((k) => {
            const v = summary(x.svg[k]);
            const base = summary(x.svg["qrcode toString (svg)"]).median;
            return [k, String(v.n), fmtMs(v.median), fmtMs(v.p95), fmtBytes(x.svgBytes[k]), `${(v.median / base).toFixed(2)}×`];
          }),
        ),
    );
  }

  if (r.payPush || r.payPoll) {
    const rows = [];
    if (r.payPush) {
      rows.push(["push (SSE), one at a time", r.payPush.total, "wallet pay → proxy notified → journal → event stream → wait resolves"]);
      rows.push(["↳ of which the wallet's pay round trip", r.payPush.payAnswer, "sandbox answers after handing the notification over"]);
    }
    if (r.payPoll) rows.push([`polling alone (push off), ${r.pollShape}`, r.payPoll.total, "paid at a random moment 1–10 s into the wait"]);
    out.push(
      "## 3. Consumer pays → waitForPayment resolves\n\n" +
        "From sending the wallet's `POST /sandbox/wallet/{transactionId}/pay` (in the page, same clock) to the register's " +
        "`waitForPayment` resolving with SUCCESS; proxy + embedded sandbox on loopback.\n\n" +
        table(["mode", "n", "median ms", "p95 ms", "min ms", "max ms", "path"], latencyRows(rows)),
    );
  }

  if (r.click) {
    out.push(
      "## 4. startPayment → QR painted\n\n" +
        "One register (push on), payments one after another; proxy (journal on disk) + embedded sandbox on loopback.\n\n" +
        table(["span", "n", "median ms", "p95 ms", "min ms", "max ms", ""], latencyRows([
          ["startPayment call → renderQr returned (QR on the canvas)", r.click.painted, "the goal's figure"],
          ["↳ startPayment alone (the create round trip)", r.click.start],
          ["startPayment call → next animation frame", r.click.frame, "adds up to one frame (16.7 ms)"],
        ])),
    );
  }

  if (r.load) {
    out.push(
      "## 5. Create-payment throughput and latency\n\n" +
        "`pingpong-bench load` (bench/src, one thread, closed loop, kept-alive HTTP/1.1): each worker sends its next create " +
        "when the previous one answered. *proxy* = `POST /v1/payments` (token auth, validation, journal, signed unifiedPay to " +
        "the embedded sandbox over loopback HTTP, verification, journal); *sandbox* = the same signed unifiedPay sent to " +
        `the proxy's embedded sandbox directly (account A). ${r.loadNote}\n\n` +
        table(["target", "concurrency", "acquirer latency", "creates/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "ok", "errors"],
          r.load.map((x) => [x.tmpfs ? "proxy, journal on tmpfs (diagnostic)" : x.target, String(x.concurrency), x.latencyMs ? `+${x.latencyMs} ms` : "loopback", x.rps.toFixed(0), fmtMs(x.p50Ms), fmtMs(x.p90Ms), fmtMs(x.p99Ms), fmtMs(x.maxMs), String(x.ok), String(x.errors)])) +
        "\n\n*+50 ms*: the sandbox's `latencyMs` fault knob holds each unifiedPay 50 ms before handling it, as the network " +
        "round trip to a real acquirer would; both targets see it (the proxy through its upstream call). " +
        "*journal on tmpfs*: a second proxy whose SQLite file is in RAM, where fsync costs nothing: the difference to the " +
        "plain proxy rows is the disk's share; the rest is CPU. Not a deployable setting (a power cut would lose the journal).",
    );
  }

  if (r.requests) {
    const order = [...r.requests].sort((a, b) => Number(b.push) - Number(a.push) || a.afterS - b.afterS);
    out.push(
      "## 6. Requests per payment\n\n" +
        "HTTP requests one register makes for one payment paid t seconds after its create (counted with Playwright's " +
        "request events, from the create until waitForPayment resolves); the wallet's pay is the consumer's and not counted. " +
        "With push, `ticket` + `stream` open the event stream, which a register keeps for every later payment.\n\n" +
        table(["mode", "paid after", "create", "poll (GET payment)", "ticket", "stream", "other", "total"],
          order.map((x) => [x.push ? "push" : "polling alone", `${x.afterS} s`, x.create, x.poll, x.ticket, x.stream, x.other, `**${x.total}**`].map(String))),
    );
  }
  if (r.coldStart) {
    const link = (p) => (p.downBps ? `${p.downBps / 1e6} / ${p.upBps / 1e6} Mb/s, +${p.latencyMs} ms` : "loopback, no limit");
    out.push(
      "## 7. Cold start: navigation → register ready\n\n" +
        "The demo register (`www/`, `pkg/`) from the proxy (server profile, demo mode), in a fresh browser context " +
        "with the cache disabled, under Chromium's network emulation (CDP `Network.emulateNetworkConditions`: " +
        "download / upload throughput, latency added to each request). From navigation start to `<body data-ready>` " +
        "(the wasm instantiated and the `Register` built); profiles interleaved, after one unmeasured round. " +
        "*uncompressed*: the same with `Accept-Encoding: identity`, the files as they are. *bytes*: encoded bytes " +
        "received until ready (median), headers included.\n\n" +
        table(["profile", "link", "encoding", "n", "median ms", "p95 ms", "min ms", "max ms", "bytes", "requests"],
          r.coldStart.map((x) => {
            const v = summary(x.ms);
            return [x.profile.name, link(x.profile), x.compressed ? "br (as Chromium asks)" : "uncompressed", String(v.n),
              x.compressed ? `**${fmtMs(v.median)}**` : fmtMs(v.median), fmtMs(v.p95), fmtMs(v.min), fmtMs(v.max),
              fmtBytes(summary(x.bytes).median), String(summary(x.requests).median)];
          })),
    );
  }
  return out;
}

/**
 * `doc` (a BENCHMARKS.md) with the sections and goal rows of a partial run `r` put in place:
 * a section replaces the one of the same number (or goes before the findings), a goal row
 * the one of the same goal (or ends the table), and `findings` (bench/findings.md) the
 * findings. The rest of `doc` stays as it was.
 */
export function splice(doc, r, findings) {
  const at = doc.search(/^# Findings/m);
  let out = at >= 0 ? `${doc.slice(0, at)}${findings.trim()}` : `${doc}\n\n${findings.trim()}`;
  for (const section of sections(r)) {
    const number = /^## (\d+)\./.exec(section)?.[1];
    if (!number) continue; // Machine and Goals describe the whole run.
    const start = out.search(new RegExp(`^## ${number}\\. `, "m"));
    if (start >= 0) {
      const body = out.indexOf("\n", start) + 1;
      const rest = body > 0 ? out.slice(body).search(/^#{1,2} /m) : -1;
      const end = body > 0 && rest >= 0 ? body + rest : out.length;
      out = `${out.slice(0, start)}${section}\n\n${out.slice(end)}`;
    } else {
      const findings = out.search(/^# Findings/m);
      out = findings >= 0 ? `${out.slice(0, findings)}${section}\n\n${out.slice(findings)}` : `${out}\n\n${section}`;
    }
  }
  for (const g of goals(r)) {
    const row = `| ${g.goal} | ${g.target} | ${g.figure} | ${g.met ? "**met**" : "**missed**"} |`;
    const lines = out.split("\n");
    const head = lines.findIndex((l) => l === "## Goals");
    if (head < 0) continue;
    let i = head + 1;
    while (i < lines.length && !lines[i].startsWith("|")) i += 1;
    let last = i;
    let found = -1;
    for (; last < lines.length && lines[last].startsWith("|"); last += 1) {
      if (lines[last].startsWith(`| ${g.goal} |`)) found = last;
    }
    if (found >= 0) lines[found] = row;
    else lines.splice(last, 0, row);
    out = lines.join("\n");
  }
  return out;
}
