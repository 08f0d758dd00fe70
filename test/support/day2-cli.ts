/** Runs the real CLI as a child process without blocking the event loop (an in-process proxy can answer it). */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs day2 asynchronously (so an in-process server can answer it), empty HOME, no KUBECONFIG. */
export function day2Async(args: string[], env: Record<string, string>, tmp: string): Promise<Run> {
  const home = mkdtempSync(join(tmp, "home-"));
  const { KUBECONFIG: _k, ...rest } = process.env;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
      cwd: ROOT,
      env: { ...rest, HOME: home, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    p.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => p.kill("SIGKILL"), 120_000);
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
