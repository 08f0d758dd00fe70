/**
 * Runs a store test suite against both backends: SQLite (a temp file per test) and a real
 * PostgreSQL (one server per test file, started on first use, a fresh database per test).
 *
 *   forEachBackend("ingest", (b) => { test("...", async () => { const store = await b.open(); ... }) });
 *
 * Stores opened through `b.open()` are closed after the suite; the temp dir and the server go
 * when the file's tests end. Under a Node whose ABI differs from the one better-sqlite3 was
 * built for, set DAY2_SQLITE_NATIVE_BINDING (scripts/node24.sh builds one): a SQLite suite that
 * cannot load the module FAILS with that advice, it is never skipped silently.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { after, afterEach, describe } from "node:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Store, type StoreOpenOptions } from "../../src/store/index.js";
import { startPostgres, type PostgresServer } from "./postgres.js";

export type BackendName = "sqlite" | "postgres";

export interface Backend {
  name: BackendName;
  /** A fresh, empty database: a SQLite file path or a postgres:// URL. */
  target(): Promise<string>;
  /** Opens (and migrates) a store on `target` (default: a fresh one); closed after each test. */
  open(target?: string, options?: StoreOpenOptions): Promise<Store>;
}

let server: Promise<PostgresServer> | undefined;
let tmp: string | undefined;
let hooked = false;
const openStores: Store[] = [];
let fileCounter = 0;

function registerCleanup(): void {
  if (hooked) return;
  hooked = true;
  after(async () => {
    await Promise.all(openStores.splice(0).map((s) => s.close().catch(() => undefined)));
    if (server) await (await server.catch(() => undefined))?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
}

function backend(name: BackendName): Backend {
  const target = async (): Promise<string> => {
    if (name === "postgres") {
      server ??= startPostgres();
      return (await server).createDatabase();
    }
    tmp ??= mkdtempSync(join(tmpdir(), "day2-store-"));
    return join(tmp, `store-${++fileCounter}.db`);
  };
  return {
    name,
    target,
    async open(t?: string, options?: StoreOpenOptions) {
      let store: Store;
      try {
        store = await Store.open(t ?? (await target()), options);
      } catch (error) {
        if (
          name === "sqlite" &&
          /NODE_MODULE_VERSION|better_sqlite3\.node/.test(String((error as Error).message))
        )
          throw new Error(
            `better-sqlite3 is not built for Node ${process.version} (ABI ${process.versions.modules}); ` +
              `set DAY2_SQLITE_NATIVE_BINDING to a binding built for it (scripts/node24.sh builds one)`,
            { cause: error },
          );
        throw error;
      }
      openStores.push(store);
      return store;
    },
  };
}

/** Declares `body`'s tests once per backend, as `<title> [sqlite]` and `<title> [postgres]`. */
export function forEachBackend(title: string, body: (b: Backend) => void): void {
  registerCleanup();
  for (const name of ["sqlite", "postgres"] as const) {
    describe(`${title} [${name}]`, () => {
      afterEach(async () => {
        await Promise.all(openStores.splice(0).map((s) => s.close().catch(() => undefined)));
      });
      body(backend(name));
    });
  }
}

const CHILD = fileURLToPath(new URL("./store-child.ts", import.meta.url));

/** Runs test/support/store-child.ts in a separate Node process; resolves with its JSON output. */
export function runStoreChild(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`store child ${args[0]} exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out) as unknown);
      } catch {
        reject(new Error(`store child ${args[0]} printed no JSON: ${out} ${err}`));
      }
    });
  });
}
