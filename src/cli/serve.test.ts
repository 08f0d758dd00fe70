/**
 * The real thing: `day2 token create`, `day2 serve --port 0` as a child process on a temp
 * SQLite file, an Alertmanager payload over HTTP, `day2 incident list|ack|show` against it,
 * and SIGTERM while a request is still being sent (it completes and is committed).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { day2Async } from "../../test/support/day2-cli.js";
import { amAlert, amPayload } from "../../test/support/server.js";
import { demoIncidentHistory } from "../incident/demo.js";
import { demoIncidentsDoc } from "../incident/demo-config.js";
import { onCallRows } from "../incident/oncall.js";
import { parseIncidents } from "../incident/policy-config.js";
import { openServerStore } from "../server/store-adapter.js";
import { defaultDbPath, defaultDemoDbPath, parseInterval, parseSize } from "./serve.js";

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
  assert.equal(defaultDemoDbPath({ XDG_DATA_HOME: "/data" }), "/data/day2/demo.db");
  assert.equal(parseSize("4MiB", "--body-limit"), 4 * 1024 * 1024);
  assert.throws(() => parseSize("lots", "--body-limit"), /--body-limit/);
});

test("--collect-interval takes 30s, 15m, 1h, 1d or 0 (off); anything else names the flag", () => {
  assert.equal(parseInterval("30s", "--collect-interval"), 30_000);
  assert.equal(parseInterval("15m", "--collect-interval"), 900_000);
  assert.equal(parseInterval("1h", "--collect-interval"), 3_600_000);
  assert.equal(parseInterval("1d", "--collect-interval"), 86_400_000);
  assert.equal(parseInterval("0", "--collect-interval"), 0);
  for (const bad of ["soon", "15", "-1m", "1.5m", "500ms", ""])
    assert.throws(() => parseInterval(bad, "--collect-interval"), /--collect-interval/, bad);
});

test("day2 serve refuses a bad --collect-interval or --prometheus before opening anything", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "day2-serve-"));
  try {
    const i = await day2Async(["serve", "--collect-interval", "often", "--db", join(tmp, "x.db")], {}, tmp);
    assert.equal(i.code, 2);
    assert.match(i.stderr, /--collect-interval: expected a duration/);
    const p = await day2Async(["serve", "--prometheus", "prom:9090", "--db", join(tmp, "x.db")], {}, tmp);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /--prometheus: expected an http/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
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

/** Resolves once `out()` matches `re` (stderr and stdout arrive on separate pipes). */
async function waitFor(out: () => string, re: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 200; i++) {
    const m = re.exec(out());
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${re} in: ${out()}`);
}

async function stop(proc: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (proc.exitCode !== null) return proc.exitCode;
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  proc.kill("SIGTERM");
  return exited;
}

test(
  "day2 serve --demo seeds the demo history once; the API lists every demo incident",
  { timeout: 240_000 },
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), "day2-serve-demo-"));
    const db = join(tmp, "demo.db");
    let proc: ChildProcessWithoutNullStreams | undefined;
    try {
      const created = await day2Async(
        ["token", "create", "--role", "viewer", "--name", "demo", "--db", db],
        {},
        tmp,
      );
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();

      const first = await startServe(["--demo", "--seed", "7", "--db", db], mkdtempSync(join(tmp, "home-")));
      proc = first.proc;
      const line = await waitFor(
        first.out,
        /demo data \(not real\): seeded (\d+) incidents.* up to (\S+) \(seed (\d+)\)/,
      );
      assert.equal(line[3], "7");
      const history = demoIncidentHistory({ seed: 7, now: Date.parse(line[2]!) });
      assert.equal(Number(line[1]), history.incidents.length);
      assert.match(first.out(), /on-call schedules: 3 from the demo config/);

      const list = async (url: string) => {
        const res = await fetch(`${url}/api/v1/incidents?limit=5`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200, await res.clone().text());
        return (await res.json()) as { total: number; items: { id: string }[] };
      };
      const page = await list(first.url);
      assert.equal(page.total, history.incidents.length);
      const ids = new Set(history.incidents.map((i) => i.id));
      for (const item of page.items) assert.ok(ids.has(item.id), `${item.id} is a demo incident`);
      assert.equal(await stop(first.proc), 0, first.out());
      proc = undefined;

      // A second start adds nothing.
      const second = await startServe(["--demo", "--db", db], mkdtempSync(join(tmp, "home-")));
      proc = second.proc;
      await waitFor(second.out, /demo data \(not real\): the store already holds incidents, nothing seeded/);
      assert.equal((await list(second.url)).total, history.incidents.length);
      assert.equal(await stop(second.proc), 0, second.out());
      proc = undefined;
    } finally {
      if (proc) proc.kill("SIGKILL");
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);

test("day2 oncall reads the demo's on-call config; --seed abc is a usage error", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "day2-serve-demo-"));
  try {
    const now = Date.UTC(2026, 10, 20, 12);
    const file = join(tmp, "day2.yaml");
    writeFileSync(file, stringify({ incidents: demoIncidentsDoc(now, 90) }));
    const r = await day2Async(
      ["oncall", "--config", file, "--at", new Date(now).toISOString(), "-o", "json"],
      {},
      tmp,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { items: { schedule: string; when: string; user?: string }[] };
    const expected = onCallRows(parseIncidents(demoIncidentsDoc(now, 90)).schedules, now);
    assert.equal(expected.length, 6, "now and next for each of the three demo schedules");
    assert.deepEqual(
      out.items.map((i) => [i.schedule, i.when, i.user]),
      expected.map((i) => [i.schedule, i.when, i.user]),
    );
    // The demo's "someone covering right now" override.
    assert.deepEqual(out.items[0], {
      ...out.items[0],
      schedule: "platform-oncall",
      when: "now",
      override: true,
    });

    const bad = await day2Async(["serve", "--demo", "--seed", "abc", "--db", join(tmp, "x.db")], {}, tmp);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--seed/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
