/**
 * One measured collection, run as its own process by bench/live.ts (with bench/rss-hook.mjs
 * preloaded for wall time and peak RSS):
 *   day2-pods   day2's collector, pods only, projected into a ClusterState
 *   day2-all    day2's collector, every kind, projected
 *   unpaged     a plain GET /api/v1/pods without limit: whole body, one JSON.parse
 *   idle        day2's code loaded (including @kubernetes/client-node, ~70 MB of RSS by
 *               itself), nothing collected: the baseline the collection is measured against
 * Prints a JSON line with the object count and bytes received on stdout.
 */
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { ClusterStateBuilder } from "../src/state/builder.js";
import { kindInfo } from "../src/state/kinds.js";
import type { KindInfo } from "../src/state/kinds.js";
import { collectLive, loadKubeConfig } from "../src/kube/index.js";

const [mode, kubeconfig, server, token, caPath] = process.argv.slice(2);

async function day2(kinds: KindInfo[] | undefined): Promise<void> {
  const conn = await loadKubeConfig({ kubeconfig });
  const b = new ClusterStateBuilder({ source: "live", sourceDetail: "bench", collectedAt: Date.now() });
  let n = 0;
  const result = await collectLive(conn, { kinds, pageSize: 500 }, (o) => {
    n++;
    b.add(o);
  });
  const state = b.build({ complete: true });
  conn.close();
  process.stdout.write(
    JSON.stringify({
      objects: n,
      pods: state.count("Pod"),
      errors: result.coverage.filter((c) => c.status !== "collected").length,
    }) + "\n",
  );
}

async function unpaged(): Promise<void> {
  const body = await new Promise<Buffer>((resolve, reject) => {
    const req = request(
      `${server}/api/v1/pods`,
      {
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
        ca: readFileSync(caPath!),
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => resolve(Buffer.concat(parts)));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
  const list = JSON.parse(body.toString("utf8")) as { items: unknown[] };
  process.stdout.write(JSON.stringify({ objects: list.items.length, bytes: body.length }) + "\n");
}

if (mode === "day2-pods") await day2([kindInfo("Pod")!]);
else if (mode === "day2-all") await day2(undefined);
else if (mode === "unpaged") await unpaged();
else if (mode === "idle") await import("@kubernetes/client-node");
else throw new Error(`unknown mode ${mode}`);
