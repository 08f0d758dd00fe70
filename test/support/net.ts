/**
 * Process helpers shared by the test servers (Prometheus, Alertmanager, PostgreSQL): a free
 * loopback port, and waiting for a started server's readiness endpoint.
 */
import type { ChildProcess } from "node:child_process";
import net from "node:net";

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls `url` until it answers 200; fails early, with the process's log, if `proc` exits
 * first, and after `timeoutMs` otherwise. `name` names the server in the errors.
 */
export async function waitHttpReady(
  name: string,
  url: string,
  proc: ChildProcess,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}) before ready:\n${log()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM a child by its pid, SIGKILL it after `graceMs` if it has not exited; resolves on exit. */
export async function stopChild(p: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (p?.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
  process.kill(p.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (p.exitCode === null && p.signalCode === null && p.pid !== undefined) process.kill(p.pid, "SIGKILL");
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
