/**
 * Opens the store's database: a SQLite file (better-sqlite3, the default for one process) or
 * PostgreSQL from a postgres:// URL (a pg Pool, for several replicas).
 *
 * SQLite durability: journal_mode=WAL, synchronous=FULL (every commit fsyncs the WAL, so a
 * committed transaction survives a process kill AND a power loss; NORMAL survives a process
 * kill but may lose the last commits on power loss), busy_timeout=5000 ms, foreign_keys=ON.
 * `synchronous: "NORMAL"` is available for benchmarks and laptops that prefer speed.
 *
 * One SQLite Store per process: better-sqlite3 is synchronous, so two handles in one process
 * waiting on each other's write lock would block the event loop until busy_timeout. Several
 * processes on one SQLite file are safe (writers serialise with BEGIN IMMEDIATE).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Sqlite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

/** What a migration step gets: Kysely's schema builder needs an untyped database, since a
 * migration runs against the schema as it was then, not the current one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MigrationDb = Kysely<any>;

/** The open database: the Kysely instance, which dialect it speaks, and how to close it. */
export interface StoreDb {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** SQLite: FULL (default) or NORMAL. */
  synchronous?: "FULL" | "NORMAL";
  /** SQLite: how long a writer waits for another process's lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** PostgreSQL: pool size. Default 10. */
  poolMax?: number;
  /**
   * SQLite: the path of a better_sqlite3.node built for the running Node ABI. Default: the
   * DAY2_SQLITE_NATIVE_BINDING environment variable, else the one in node_modules.
   */
  nativeBinding?: string;
}

export const SQLITE_DEFAULTS = { journalMode: "WAL", synchronous: "FULL", busyTimeoutMs: 5000 } as const;

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** Opens `target`: a postgres:// URL, a SQLite file path, or ":memory:". */
export function openDatabase(target: string, options: OpenOptions = {}): StoreDb {
  return isPostgresUrl(target) ? openPostgres(target, options) : openSqlite(target, options);
}

function openSqlite(file: string, options: OpenOptions): StoreDb {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const nativeBinding = options.nativeBinding ?? process.env["DAY2_SQLITE_NATIVE_BINDING"];
  const database = new Sqlite(file, nativeBinding ? { nativeBinding } : {});
  database.pragma(
    `busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? SQLITE_DEFAULTS.busyTimeoutMs))}`,
  );
  database.pragma("journal_mode = WAL");
  database.pragma(`synchronous = ${options.synchronous === "NORMAL" ? "NORMAL" : "FULL"}`);
  database.pragma("foreign_keys = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: "sqlite", close: () => db.destroy() };
}

const INT8_OID = 20;

function openPostgres(url: string, options: OpenOptions): StoreDb {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    // Epoch milliseconds and counts come back as numbers, not strings (they fit in a double).
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as never,
    },
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", close: () => db.destroy() };
}

/**
 * Runs `fn` in one write transaction. SQLite: BEGIN IMMEDIATE on the single connection, so
 * the write lock is taken up front (no deadlock between a reader upgrading and another
 * writer; other processes wait busy_timeout). PostgreSQL: a READ COMMITTED transaction.
 * Rolls back when `fn` throws.
 */
export async function writeTx<T>(store: StoreDb, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (store.dialect === "postgres")
    return store.db.transaction().execute((trx: Transaction<Database>) => fn(trx));
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await fn(conn);
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}
