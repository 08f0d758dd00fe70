/**
 * The ceiling for bench/storm.ts (issue #7): a bare Fastify route doing one better-sqlite3
 * INSERT per request, with the store's durability PRAGMAs (journal_mode=WAL, the synchronous
 * level and busy_timeout of SQLITE_DEFAULTS in src/store/db.ts). Each request is its own
 * autocommit transaction: one WAL append and, at synchronous=FULL, one fsync. Fastify's
 * default JSON body parser runs; the payload is not validated or used. A second argument
 * NORMAL runs the same route at synchronous=NORMAL (no fsync per commit), for comparison.
 *
 *   node --import tsx bench/storm-bare.ts DB_FILE [FULL|NORMAL]
 *
 * Prints "listening on http://127.0.0.1:PORT" and then one JSON line with the PRAGMAs read
 * back from the connection; SIGTERM closes the server and the database and exits 0.
 */
import Sqlite from "better-sqlite3";
import Fastify from "fastify";
import { SQLITE_DEFAULTS } from "../src/store/db.js";

const file = process.argv[2];
const synchronous = process.argv[3] ?? SQLITE_DEFAULTS.synchronous;
if (!file || !["FULL", "NORMAL"].includes(synchronous))
  throw new Error("usage: storm-bare.ts DB_FILE [FULL|NORMAL]");

const db = new Sqlite(file);
db.pragma(`busy_timeout = ${SQLITE_DEFAULTS.busyTimeoutMs}`);
db.pragma(`journal_mode = ${SQLITE_DEFAULTS.journalMode}`);
db.pragma(`synchronous = ${synchronous}`);
db.exec(
  "create table if not exists hits (id integer primary key, at integer not null, bytes integer not null)",
);
const insert = db.prepare("insert into hits (at, bytes) values (?, ?)");

const app = Fastify({ logger: false, bodyLimit: 1 << 20 });
app.post("/api/v1/alerts/alertmanager", async (req) => {
  insert.run(Date.now(), Number(req.headers["content-length"] ?? 0));
  return { accepted: 1 };
});

await app.listen({ port: 0, host: "127.0.0.1" });
const addr = app.server.address();
const port = typeof addr === "object" && addr ? addr.port : 0;
process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
process.stdout.write(
  `${JSON.stringify({
    journal_mode: db.pragma("journal_mode", { simple: true }),
    synchronous: db.pragma("synchronous", { simple: true }),
    busy_timeout: db.pragma("busy_timeout", { simple: true }),
  })}\n`,
);

process.once("SIGTERM", () => {
  app.close().then(
    () => {
      db.close();
      process.exit(0);
    },
    () => process.exit(1),
  );
});
