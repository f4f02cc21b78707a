// Measure 5: create-payment throughput and latency on loopback with the Rust load client
// (bench/src), against the proxy and against its embedded sandbox called directly with the
// signed unifiedPay the proxy would send.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** One load run; resolves with the client's JSON report. */
export async function load(binary, { target, url, concurrency, warmupMs, durationMs }) {
  const args = ["load", "--target", target, "--concurrency", String(concurrency), "--warmup-ms", String(warmupMs), "--duration-ms", String(durationMs)];
  if (target === "proxy") args.push("--url", url, "--token", "demo-token");
  else args.push("--url", `${url}/sandbox`, "--notify-url", `${url}/notify/pingpong`);
  const { stdout } = await run(binary, args, { maxBuffer: 1 << 20 });
  const report = JSON.parse(stdout.trim().split("\n").pop());
  return report;
}
