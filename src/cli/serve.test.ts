/**
 * The real thing: `day2 token create`, `day2 serve --port 0` as a child process on a temp
 * SQLite file, an Alertmanager payload over HTTP, `day2 incident list|ack|show` against it,
 * and SIGTERM while a request is still being sent (it completes and is committed).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { day2Async } from "../../test/support/day2-cli.js";
import { amAlert, amPayload } from "../../test/support/server.js";
import { openServerStore } from "../server/store-adapter.js";
import { defaultDbPath, parseSize } from "./serve.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");

function startServe(
  args: string[],
  home: string,
): Promise<{ proc: ChildProcessWithoutNullStreams; url: string; out: () => string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", MAIN, "serve", "--port", "0", ...args], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  proc.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`day2 serve did not start: ${stderr}`));
    }, 60_000);
    proc.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, out: () => stdout + stderr });
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`day2 serve exited ${code}: ${stderr}`));
    });
  });
}

/** Sends a POST whose body arrives in two parts, `gap()` running between them. */
function slowPost(
  url: string,
  token: string,
  body: string,
  gap: () => Promise<void>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    gap().then(() => req.end(body.slice(half)), reject);
  });
}

test(
  "day2 serve end to end: token, Alertmanager delivery, incident list and ack, SIGTERM mid-request",
  { timeout: 180_000 },
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), "day2-serve-"));
    const db = join(tmp, "day2.db");
    let proc: ChildProcessWithoutNullStreams | undefined;
    try {
      const created = await day2Async(
        ["token", "create", "--role", "admin", "--name", "lead", "--db", db],
        {},
        tmp,
      );
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();
      assert.match(token, /^day2_[A-Za-z0-9_-]{20,}$/);

      const server = await startServe(["--db", db], mkdtempSync(join(tmp, "home-")));
      proc = server.proc;
      const res = await fetch(`${server.url}/api/v1/alerts/alertmanager`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(amPayload()),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { accepted: 1 });

      const env = { DAY2_SERVER: server.url, DAY2_TOKEN: token };
      const list = await day2Async(["incident", "list", "-o", "json"], env, tmp);
      assert.equal(list.code, 0, list.stderr);
      const page = JSON.parse(list.stdout) as {
        total: number;
        items: { id: string; status: string; priority: string }[];
      };
      assert.equal(page.total, 1);
      const id = page.items[0]!.id;
      assert.equal(page.items[0]!.status, "triggered");

      const table = await day2Async(["incident", "list", "--server", server.url, "--token", token], {}, tmp);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^ID\s+PRIORITY\s+STATUS\s+AGE\s+SERVICE\s+TITLE/);
      assert.ok(table.stdout.includes(id));

      const ack = await day2Async(["incident", "ack", id, "--note", "on it"], env, tmp);
      assert.equal(ack.code, 0, ack.stderr);
      assert.match(ack.stdout, new RegExp(`incident ${id} acknowledged`));
      const again = await day2Async(["incident", "ack", id], env, tmp);
      assert.equal(again.code, 3, "acknowledging twice is refused");
      assert.match(again.stderr, /cannot move from acknowledged.*\[D2_ERR_SERVER\]/);
      const show = await day2Async(["incident", "show", id, "-o", "yaml"], env, tmp);
      assert.equal(show.code, 0, show.stderr);
      assert.match(show.stdout, /status: acknowledged/);
      assert.match(show.stdout, /actor: lead/);

      const bad = await day2Async(
        ["incident", "list"],
        { DAY2_SERVER: server.url, DAY2_TOKEN: "day2_wrong" },
        tmp,
      );
      assert.equal(bad.code, 3);
      assert.match(bad.stderr, /\[D2_ERR_SERVER_UNAUTHORIZED\]/);
      const missing = await day2Async(["incident", "list"], { DAY2_SERVER: server.url }, tmp);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--token/);

      // SIGTERM while a delivery is half sent: it completes, is committed, and the process exits 0.
      const exited = new Promise<number | null>((resolve) => server.proc.on("exit", (code) => resolve(code)));
      const body = JSON.stringify(
        amPayload({ groupKey: '{}:{alertname="Late"}' }, [
          amAlert({ fingerprint: "late0001", labels: { alertname: "Late" } }),
        ]),
      );
      const late = await slowPost(`${server.url}/api/v1/alerts/alertmanager`, token, body, async () => {
        await new Promise((r) => setTimeout(r, 300));
        server.proc.kill("SIGTERM");
        await new Promise((r) => setTimeout(r, 300));
      });
      assert.equal(late.status, 200, late.body);
      assert.equal(await exited, 0, server.out());
      proc = undefined;
      await assert.rejects(fetch(`${server.url}/healthz`), "no longer listening");

      const store = await openServerStore(db);
      try {
        assert.equal(await store.countAlerts(), 2);
        assert.equal((await store.listIncidents({ limit: 10, offset: 0 })).total, 2);
      } finally {
        await store.close();
      }
    } finally {
      if (proc) proc.kill("SIGKILL");
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);

test("the default database lives in the user's data directory", () => {
  assert.equal(defaultDbPath({ XDG_DATA_HOME: "/data" }), "/data/day2/day2.db");
  assert.match(defaultDbPath({}), /\.local\/share\/day2\/day2\.db$/);
  assert.equal(parseSize("4MiB", "--body-limit"), 4 * 1024 * 1024);
  assert.throws(() => parseSize("lots", "--body-limit"), /--body-limit/);
});

test("day2 serve refuses bad flags with a usage error naming the flag", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "day2-serve-"));
  try {
    const r = await day2Async(["serve", "--port", "99999", "--db", join(tmp, "x.db")], {}, tmp);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port/);
    const t = await day2Async(
      ["token", "create", "--role", "root", "--name", "x", "--db", join(tmp, "x.db")],
      {},
      tmp,
    );
    assert.equal(t.code, 2);
    assert.match(t.stderr, /--role/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
