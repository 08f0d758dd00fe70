/**
 * Writes the benchmark inputs from the demo generator: day2's snapshot format and a kubectl
 * List of the same objects. Streams both, so generating 150,000 pods needs little memory.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { SnapshotWriter } from "../src/snapshot/write.js";
import { DEMO_NOW, demoClusterInfo, demoOptionsFromScale, generateDemo } from "../src/demo/index.js";
import { KINDS } from "../src/state/kinds.js";

export async function writeDay2Snapshot(
  file: string,
  scale: "small" | "large" | number,
  seed = 42,
): Promise<number> {
  const opts = demoOptionsFromScale(scale, seed);
  const w = new SnapshotWriter(file);
  for (const o of generateDemo(opts)) w.write(o);
  const info = demoClusterInfo(opts);
  await w.finish({
    source: "demo",
    sourceDetail: `seed ${seed}, scale ${scale}`,
    collectedAt: DEMO_NOW,
    cluster: info.version,
    coverage: KINDS.map((k) => ({ kind: k.kind, status: "collected" as const, count: 0 })),
  });
  return w.objects;
}

export async function writeKubectlList(
  file: string,
  scale: "small" | "large" | number,
  seed = 42,
): Promise<number> {
  const out = createWriteStream(file);
  const write = async (s: string): Promise<void> => {
    if (!out.write(s)) await once(out, "drain");
  };
  await write('{\n    "apiVersion": "v1",\n    "items": [\n');
  let n = 0;
  for (const o of generateDemo(demoOptionsFromScale(scale, seed))) {
    // One item per line (as `kubectl get -o json | jq -c '.items[]'` would give): kubectl's
    // four-space indentation would nearly triple the file without changing what is parsed.
    await write((n++ ? ",\n" : "") + JSON.stringify(o));
  }
  await write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n');
  out.end();
  await once(out, "finish");
  return n;
}
