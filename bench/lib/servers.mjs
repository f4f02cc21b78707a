// The proxy under test: the server-profile binary in demo mode (embedded sandbox), on a free
// loopback port, with a fresh journal, serving the benchmark page (--www) and pkg/ (--pkg).
// Its log goes to a file, not to this process (the load test makes many lines).
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { join } from "node:path";
import { root } from "../../e2e/lib/harness.mjs";

const CREDENTIALS = ["PINGPONG_BASE_URL", "PINGPONG_ACC_ID", "PINGPONG_CLIENT_ID", "PINGPONG_SALT", "PINGPONG_SALT_FILE"];

/**
 * Starts `binary` with `args`; resolves with { url, stop() } once it printed its
 * "pingpong-qr-proxy listening on URL" line; rejects if it exits or is silent for 30 s.
 */
export function startProxy({ binary, dir, www, pkg, args = [] }) {
  const env = { ...process.env };
  for (const k of CREDENTIALS) delete env[k];
  const log = join(dir, "proxy.log");
  const proc = spawn(
    binary,
    ["--listen", "127.0.0.1:0", "--database", join(dir, "journal.sqlite"), "--www", www, "--pkg", pkg, ...args],
    { cwd: root, env, stdio: ["ignore", "pipe", openSync(log, "a")] },
  );
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("the proxy did not start in 30 s")), 30_000);
    const fail = (e) => {
      clearTimeout(timer);
      proc.kill("SIGKILL");
      reject(new Error(`${e.message} (log: ${log})`));
    };
    proc.on("error", (e) => fail(new Error(`cannot start ${binary}: ${e.message}`)));
    proc.on("exit", (code) => fail(new Error(`the proxy exited with ${code}`)));
    proc.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /pingpong-qr-proxy listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.removeAllListeners("exit");
      proc.stdout.removeAllListeners("data");
      proc.stdout.resume();
      resolve({
        url: m[1].replace(/\/$/, ""),
        log,
        stop: () =>
          new Promise((done) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return done();
            proc.once("exit", () => done());
            proc.kill("SIGTERM");
          }),
      });
    });
  });
}
