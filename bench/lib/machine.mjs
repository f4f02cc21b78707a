// The machine a benchmark ran on: CPU, cores, memory, OS and tool versions, date.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

function osName() {
  try {
    const release = readFileSync("/etc/os-release", "utf8");
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release);
    return `${pretty ? pretty[1] : os.type()}, kernel ${os.release()}`;
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

/** The machine's description; `chromium` is the browser's version string. */
export function machine({ chromium }) {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() || "unknown",
    cores: cpus.length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: osName(),
    rustc: run("rustc", ["--version"]),
    node: process.version,
    chromium,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}
