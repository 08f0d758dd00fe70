/**
 * A real PostgreSQL for tests (the Debian postgresql package): initdb into a temp dir, pg_ctl
 * start on a free 127.0.0.1 port with the unix socket in that dir, wait until it accepts
 * connections; one database per test (createDatabase); stop with `pg_ctl stop -m fast` (then
 * the postmaster pid, if it is still there) and remove the dir.
 *
 * PostgreSQL refuses to run as root. When this process is root (CI and the development
 * machines are), the server runs as an unprivileged OS user via `runuser -u`: DAY2_PG_USER,
 * else `postgres` when it exists (the Debian package creates it), else a `day2test` system
 * user created with useradd. The temp dir is chowned to that user.
 *
 * Binaries: DAY2_PG_BINDIR, else `pg_config --bindir`, else the newest Debian
 * /usr/lib/postgresql/<major>/bin.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./net.js";

export interface PostgresServer {
  port: number;
  dir: string;
  pid: number;
  /** postgres://…/postgres as the superuser `day2` (trust auth on 127.0.0.1). */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

const SUPERUSER = "day2";

function binDir(): string {
  const env = process.env["DAY2_PG_BINDIR"];
  if (env) return env;
  const fromConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  if (fromConfig.status === 0 && existsSync(join(fromConfig.stdout.trim(), "initdb")))
    return fromConfig.stdout.trim();
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => existsSync(join(root, d, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors[0]) throw new Error("PostgreSQL binaries not found: install postgresql or set DAY2_PG_BINDIR");
  return join(root, majors[0], "bin");
}

/** The unprivileged user the server runs as when we are root; undefined when we are not root. */
function serverUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const wanted = process.env["DAY2_PG_USER"];
  if (wanted) return wanted;
  if (spawnSync("id", ["-u", "postgres"]).status === 0) return "postgres";
  if (spawnSync("id", ["-u", "day2test"]).status !== 0) {
    const r = spawnSync(
      "useradd",
      ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "day2test"],
      { encoding: "utf8" },
    );
    // Another test process may have created it at the same moment.
    if (r.status !== 0 && spawnSync("id", ["-u", "day2test"]).status !== 0)
      throw new Error(`cannot create the day2test user for PostgreSQL: ${r.stderr}`);
  }
  return "day2test";
}

function ids(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
  return { uid, gid };
}

function run(user: string | undefined, bin: string, args: string[]): { status: number | null; out: string } {
  const [cmd, argv] = user ? ["runuser", ["-u", user, "--", bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

async function waitReady(url: string, deadline: number): Promise<void> {
  let last: unknown;
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query("select 1");
      await client.end();
      return;
    } catch (error) {
      last = error;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`PostgreSQL did not become ready: ${(last as Error)?.message}`);
}

function postmasterPid(dir: string): number {
  const text = readFileSync(join(dir, "data", "postmaster.pid"), "utf8");
  return Number(text.split("\n")[0]);
}

let dbCounter = 0;

/** Starts a throwaway server. Call stop() when done (an after() hook). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), "day2-pg-"));
  chmodSync(dir, 0o700);
  if (user) {
    const { uid, gid } = ids(user);
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const init = run(user, join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    SUPERUSER,
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
    "--no-locale",
  ]);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.out}`);
  }
  let lastError = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
    const started = run(user, join(bin, "pg_ctl"), [
      "start",
      "-w",
      "-t",
      "60",
      "-D",
      data,
      "-l",
      join(dir, "log"),
      "-o",
      opts,
    ]);
    if (started.status !== 0) {
      lastError = started.out + (existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8") : "");
      continue;
    }
    const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    await waitReady(adminUrl, Date.now() + 30_000);
    const pid = postmasterPid(dir);
    return {
      port,
      dir,
      pid,
      adminUrl,
      async createDatabase(name?: string) {
        const db = name ?? `t_${process.pid}_${++dbCounter}`;
        const client = new pg.Client({ connectionString: adminUrl });
        await client.connect();
        try {
          await client.query(`create database "${db.replace(/"/g, "")}"`);
        } finally {
          await client.end();
        }
        return `postgres://${SUPERUSER}@127.0.0.1:${port}/${db}`;
      },
      async stop() {
        run(user, join(bin, "pg_ctl"), ["stop", "-m", "fast", "-w", "-t", "30", "-D", data]);
        try {
          process.kill(pid, 0);
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
        rmSync(dir, { recursive: true, force: true });
        await Promise.resolve();
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`pg_ctl start failed: ${lastError}`);
}
