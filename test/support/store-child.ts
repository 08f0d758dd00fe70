/**
 * A separate process for store race tests (spawned by runStoreChild):
 *   migrate <target>                     opens the store (migrating), prints {"applied": [...]}
 *   claim <target> <claimer> <now>       claims due timers until none is left, prints their ids
 *   ingest <target> <json batch>         ingests one batch, prints the opened incident ids
 */
import { Store } from "../../src/store/index.js";

async function main(): Promise<unknown> {
  const [cmd, target, ...rest] = process.argv.slice(2);
  if (!cmd || !target) throw new Error("usage: store-child <command> <target> ...");
  const store = await Store.open(target, { migrate: cmd === "migrate" ? false : true });
  try {
    if (cmd === "migrate") return await store.migrate();
    if (cmd === "claim") {
      const [claimer = "child", now = String(Date.now())] = rest;
      const ids: string[] = [];
      for (;;) {
        const t = await store.claimDueTimer(claimer, { now: Number(now) });
        if (!t) return ids;
        ids.push(t.id);
      }
    }
    if (cmd === "ingest") {
      const r = await store.ingestAlerts(JSON.parse(rest[0] ?? "[]") as unknown, {
        now: Number(rest[1] ?? Date.now()),
      });
      return r.incidents.opened.map((i) => i.id);
    }
    throw new Error(`unknown command ${cmd}`);
  } finally {
    await store.close();
  }
}

main().then(
  (out) => process.stdout.write(JSON.stringify(out)),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
