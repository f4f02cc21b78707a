// The in-browser half of `make bench`: QR render and SVG timings of pingpong-qr beside the
// three npm libraries (all in this one page), and the register flows against the proxy that
// serves this page (click → QR, pay → PAID, the requests of one payment). bench/run.mjs
// calls these functions through `window.bench` and does the statistics.
import init, { Register } from "/pkg/index.js";
import { QRCode, jsQR, lean, qrcodeGenerator } from "./refs.js";

/** Canvas side in CSS pixels (and device pixels: devicePixelRatio 1) for every library. */
const SIZE = 256;
/** Quiet zone in modules, for every library. */
const QUIET = 4;
/** What every benchmark payment asks for; 3 days of validity, so none closes mid-run. */
const START = { amount: "12.50", currency: "USD", method: "ALIPAY", expiresInSeconds: 259200 };
const LEAN_M = { minCorrectionLevel: lean.correction.M, maxCorrectionLevel: lean.correction.M };

function newCanvas(label) {
  const canvas = document.createElement("canvas");
  canvas.title = label;
  document.getElementById("canvases").append(canvas);
  return canvas;
}

function newRegister(storageKey, extra = {}) {
  return new Register({ proxyUrl: location.origin, token: "demo-token", storageKey, ...extra });
}

/** Makes the canvas rasterise what was drawn (a 1-pixel read-back), so "paint" is paid now. */
function flush(canvas) {
  canvas.getContext("2d").getImageData(0, 0, 1, 1);
}

/** Decodes what `canvas` shows with jsQR (scaled up without smoothing): the text, or null. */
function decode(canvas) {
  const check = document.createElement("canvas");
  check.width = check.height = 512;
  const ctx = check.getContext("2d", { willReadFrequently: true });
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, 512, 512);
  ctx.drawImage(canvas, 0, 0, 512, 512);
  const img = ctx.getImageData(0, 0, 512, 512);
  return jsQR(img.data, 512, 512)?.data ?? null;
}

/** The four canvas renderers: same text, ECC M, 256 px, quiet zone 4. */
function canvasRenderers(text, register) {
  const ours = newCanvas("pingpong-qr");
  const nq = newCanvas("qrcode");
  const qg = newCanvas("qrcode-generator");
  const lq = newCanvas("lean-qr");
  // lean-qr paints one pixel per module and relies on CSS to scale the canvas up.
  lq.className = "pixelated";
  lq.style.width = lq.style.height = `${SIZE}px`;
  return {
    "pingpong-qr renderQr": {
      canvas: ours,
      run: () => register.renderQr(ours, text, { size: SIZE, devicePixelRatio: 1, ecc: "M", quietZone: QUIET }),
    },
    "qrcode toCanvas": {
      canvas: nq,
      run: () =>
        QRCode.toCanvas(nq, text, { errorCorrectionLevel: "M", width: SIZE, margin: QUIET }, (e) => {
          if (e) throw e;
        }),
    },
    "qrcode-generator renderTo2dContext": {
      canvas: qg,
      run: () => {
        const qr = qrcodeGenerator(0, "M");
        qr.addData(text);
        qr.make();
        const n = qr.getModuleCount();
        const cell = Math.floor(SIZE / (n + 2 * QUIET));
        qg.width = qg.height = SIZE;
        const ctx = qg.getContext("2d");
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, SIZE, SIZE);
        const offset = Math.floor((SIZE - cell * n) / 2);
        ctx.setTransform(1, 0, 0, 1, offset, offset);
        qr.renderTo2dContext(ctx, cell);
        ctx.setTransform(1, 0, 0, 1, 0, 0);
      },
    },
    "lean-qr toCanvas": {
      canvas: lq,
      run: () => lean.generate(text, LEAN_M).toCanvas(lq, { pad: QUIET }),
    },
  };
}

/** The four SVG generators: each returns an SVG document string. */
function svgRenderers(text, register) {
  return {
    "pingpong-qr qrSvg": () => register.qrSvg(text, { ecc: "M", quietZone: QUIET }),
    "qrcode toString (svg)": () => {
      let out;
      QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: QUIET }, (e, s) => {
        if (e) throw e;
        out = s;
      });
      return out;
    },
    "qrcode-generator createSvgTag": () => {
      const qr = qrcodeGenerator(0, "M");
      qr.addData(text);
      qr.make();
      return qr.createSvgTag({ cellSize: 1, margin: QUIET, scalable: true });
    },
    "lean-qr toSvgSource": () => lean.toSvgSource(lean.generate(text, LEAN_M), { pad: QUIET }),
  };
}

/** Modules per side each library chose for `text` at ECC M (they should agree). */
function moduleCounts(text) {
  const qg = qrcodeGenerator(0, "M");
  qg.addData(text);
  qg.make();
  return {
    "qrcode": QRCode.create(text, { errorCorrectionLevel: "M" }).modules.size,
    "qrcode-generator": qg.getModuleCount(),
    "lean-qr": lean.generate(text, LEAN_M).size,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/**
 * Times `n` rounds of every renderer, the order rotating each round. For canvases: `call`
 * = the library call, `paint` = the call plus rasterisation (1-pixel read-back). For SVG:
 * the string's generation. Times in ms (crossOriginIsolated: 5 µs clock resolution).
 */
async function render({ text, n, warmup }) {
  const register = newRegister("bench-render", { push: false, storage: "memory" });
  const canvases = canvasRenderers(text, register);
  const svgs = svgRenderers(text, register);
  const names = Object.keys(canvases);
  const svgNames = Object.keys(svgs);
  for (let i = 0; i < warmup; i++) {
    for (const k of names) {
      canvases[k].run();
      flush(canvases[k].canvas);
    }
    for (const k of svgNames) svgs[k]();
  }
  const decodes = Object.fromEntries(names.map((k) => [k, decode(canvases[k].canvas) === text]));
  const svgText = Object.fromEntries(svgNames.map((k) => [k, svgs[k]()]));
  const call = Object.fromEntries(names.map((k) => [k, []]));
  const paint = Object.fromEntries(names.map((k) => [k, []]));
  const svg = Object.fromEntries(svgNames.map((k) => [k, []]));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < names.length; j++) {
      const k = names[(i + j) % names.length];
      const { canvas, run } = canvases[k];
      const t0 = performance.now();
      run();
      const t1 = performance.now();
      flush(canvas);
      const t2 = performance.now();
      call[k].push(t1 - t0);
      paint[k].push(t2 - t0);
    }
    for (let j = 0; j < svgNames.length; j++) {
      const k = svgNames[(i + j) % svgNames.length];
      const t0 = performance.now();
      svgs[k]();
      svg[k].push(performance.now() - t0);
    }
    if (i % 50 === 49) await tick(); // let the browser breathe (GC, tasks) between batches
  }
  register.free();
  return {
    crossOriginIsolated: self.crossOriginIsolated,
    decodes,
    svgBytes: Object.fromEntries(svgNames.map((k) => [k, svgText[k].length])),
    ourModules: Number(/viewBox="0 0 (\d+)/.exec(svgText["pingpong-qr qrSvg"])[1]) - 2 * QUIET,
    modules: moduleCounts(text),
    call,
    paint,
    svg,
  };
}

/** Waits for `fn()` to be truthy, checking every 5 ms; throws after `ms`. */
async function until(fn, ms, what) {
  const deadline = performance.now() + ms;
  while (!fn()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The next animation frame, or 100 ms if frames do not come. */
const nextFrame = () =>
  new Promise((r) => {
    const t = setTimeout(r, 100);
    requestAnimationFrame(() => {
      clearTimeout(t);
      r();
    });
  });

/**
 * `startPayment` → QR on the canvas, `n` times in a row after `warmup`: `painted` = until
 * renderQr returned (the canvas holds the QR), `frame` = until the next animation frame,
 * `start` = startPayment alone. Push on (the default), as a register runs.
 */
async function clickToQr({ n, warmup }) {
  const register = newRegister("bench-click");
  const canvas = newCanvas("click to QR");
  const out = { painted: [], frame: [], start: [] };
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    const payment = await register.startPayment(START);
    const t1 = performance.now();
    register.renderQr(canvas, payment);
    const t2 = performance.now();
    await nextFrame();
    const t3 = performance.now();
    if (i < warmup) continue;
    out.start.push(t1 - t0);
    out.painted.push(t2 - t0);
    out.frame.push(t3 - t0);
  }
  register.close();
  register.free();
  return out;
}

/** The consumer pays through the sandbox wallet's JSON route. */
async function pay(transactionId) {
  const res = await fetch(`/sandbox/wallet/${encodeURIComponent(transactionId)}/pay`, { method: "POST" });
  if (!res.ok) throw new Error(`wallet pay answered ${res.status}: ${await res.text()}`);
}

/**
 * Pay → waitForPayment resolved with SUCCESS, one payment at a time with push on (the wait
 * runs and the stream is open before the consumer pays). `total` from sending the wallet's
 * pay request to the resolution; `payAnswer` = the wallet route's own round trip.
 */
async function payToPaidPush({ n, warmup }) {
  const register = newRegister("bench-pay-push");
  const out = { total: [], payAnswer: [] };
  for (let i = 0; i < warmup + n; i++) {
    const payment = await register.startPayment(START);
    const done = register.waitForPayment(payment.merchantTransactionId);
    await until(() => register.pushConnected, 10_000, "the event stream");
    const t0 = performance.now();
    await pay(payment.transactionId);
    const t1 = performance.now();
    const final = await done;
    const t2 = performance.now();
    if (final.status !== "SUCCESS") throw new Error(`payment ended ${final.status}`);
    if (i < warmup) continue;
    out.total.push(t2 - t0);
    out.payAnswer.push(t1 - t0);
  }
  register.close();
  register.free();
  return out;
}

/**
 * The same with polling alone (push off): `n` payments at once, each paid at a random
 * moment `delayMs` = [min, max] after its wait began (the consumer does not know the
 * polling phase).
 */
async function payToPaidPolling({ n, delayMs: [min, max], key }) {
  const register = newRegister(key, { push: false });
  const one = async () => {
    const payment = await register.startPayment(START);
    const done = register.waitForPayment(payment.merchantTransactionId);
    await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
    const t0 = performance.now();
    await pay(payment.transactionId);
    const final = await done;
    const t1 = performance.now();
    if (final.status !== "SUCCESS") throw new Error(`payment ended ${final.status}`);
    return t1 - t0;
  };
  const total = await Promise.all(Array.from({ length: n }, one));
  register.close();
  register.free();
  return { total };
}

let counted = null;

/** Starts one payment and its wait (measure 6): the driver pays it and counts the requests. */
async function countStart({ push, key }) {
  const register = newRegister(key, { push });
  const payment = await register.startPayment(START);
  counted = { register, done: register.waitForPayment(payment.merchantTransactionId) };
  return { merchantTransactionId: payment.merchantTransactionId, transactionId: payment.transactionId };
}

/** Resolves with the counted payment's final status, then closes its register. */
async function countEnd() {
  const final = await counted.done;
  counted.register.close();
  counted.register.free();
  return final.status;
}

export const ready = init().then(() => {
  window.bench = { render, clickToQr, payToPaidPush, payToPaidPolling, countStart, countEnd };
});
