/**
 * `npm run bench:live`: day2's live collection against a real kube-apiserver with 1,000 kwok
 * nodes and 10,000 pods (issue #4). Compares pods-only collection with `kubectl get pods -A
 * -o json` (the kubectl built for the test bed, which pages by 500 like day2) and with a plain
 * unpaged list, then times the full collection of every kind. Time and peak RSS above the
 * baseline (day2's code loaded), medians of DAY2_BENCH_RUNS runs (default 3), appended to bench/RESULTS.md.
 *
 * Everything runs on 127.0.0.1; the cluster is stopped (by pid) at the end, also on failure.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster } from "../test/cluster/harness.js";
import type { NodeSpec, TestCluster } from "../test/cluster/harness.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out");
const RUNS = Number(process.env.DAY2_BENCH_RUNS ?? 3);
const NODES = Number(process.env.DAY2_BENCH_NODES ?? 1000);
const PODS = Number(process.env.DAY2_BENCH_PODS ?? 10000);
const HOOK = join(ROOT, "bench", "rss-hook.mjs");
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

interface Sample {
  wallMs: number;
  maxRssKb: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function nodes(): NodeSpec[] {
  return Array.from({ length: NODES }, (_, i) => ({
    name: `bench-${String(i).padStart(4, "0")}`,
    pool: i % 4 === 0 ? "compute-spot" : "general",
    zone: ZONES[i % 3]!,
    cpu: "16",
    memory: "64Gi",
    pods: 110,
    capacityType: i % 4 === 0 ? "SPOT" : "ON_DEMAND",
    instanceType: "m6i.4xlarge",
  }));
}

/** A pod shaped like a real one: two containers, probes, resources, env, volumes. */
function pod(i: number, namespace: string): object {
  const app = `svc-${i % 200}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${app}-${i}`,
      namespace,
      labels: { app, "app.kubernetes.io/part-of": "bench", "pod-template-hash": `h${i % 200}` },
    },
    spec: {
      nodeName: `bench-${String(i % NODES).padStart(4, "0")}`,
      containers: [
        {
          name: "app",
          image: `registry.example.com/bench/${app}:1.${i % 7}.0`,
          ports: [{ name: "http", containerPort: 8080 }],
          env: [
            { name: "MODE", value: "bench" },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          ],
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
          readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 10 },
          livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 20 },
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
          },
        },
        {
          name: "proxy",
          image: "registry.example.com/mesh/proxy:1.22.3",
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        },
      ],
      volumes: [{ name: "cache", emptyDir: {} }],
    },
  };
}

async function createPods(c: TestCluster, namespace: string): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < PODS) {
      const i = next++;
      const r = await c.api("POST", `/api/v1/namespaces/${namespace}/pods`, pod(i, namespace));
      if (r.status !== 201) throw new Error(`create pod ${i}: HTTP ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

function timed(
  label: string,
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Sample & { out: string } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 1 << 30,
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr.slice(-1000)}`);
  const last = r.stderr.trim().split("\n").pop()!.split(" ");
  return { wallMs: Number(last[0]) * 1000, maxRssKb: Number(last[1]), out: r.stdout };
}

function node(label: string, mode: string, args: string[]): Sample & { out: string } {
  const file = join(OUT, `${label}.sample`);
  rmSync(file, { force: true });
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", HOOK, join(ROOT, "bench", "live-collect.ts"), mode, ...args],
    {
      env: { ...process.env, DAY2_BENCH_OUT: file },
      encoding: "utf8",
      timeout: 600_000,
    },
  );
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr.slice(-1000)}`);
  return { ...(JSON.parse(readFileSync(file, "utf8").trim()) as Sample), out: r.stdout };
}

async function main(): Promise<void> {
  if (!existsSync("/usr/bin/time")) throw new Error("bench:live needs /usr/bin/time (Debian package: time)");
  mkdirSync(OUT, { recursive: true });
  const t0 = Date.now();
  const c = await startCluster({ nodes: nodes(), log: (m) => process.stderr.write(`[cluster] ${m}\n`) });
  try {
    const ns = await c.createNamespace("bench");
    await createPods(c, ns);
    const setupS = (Date.now() - t0) / 1000;
    process.stderr.write(`cluster with ${NODES} nodes and ${PODS} pods ready in ${setupS.toFixed(0)} s\n`);
    const kubectl = join(c.binDir, "kubectl");
    const args = [c.kubeconfigPath, c.server, c.adminToken, c.caCertPath];
    const rows: Record<string, (Sample & { out: string })[]> = {
      idle: [],
      kubectl: [],
      unpaged: [],
      "day2-pods": [],
      "day2-all": [],
    };
    for (let i = 0; i < RUNS; i++) {
      rows.idle!.push(node("idle", "idle", args));
      rows.kubectl!.push(
        timed("kubectl", kubectl, ["--kubeconfig", c.kubeconfigPath, "get", "pods", "-A", "-o", "json"]),
      );
      rows.unpaged!.push(node("unpaged", "unpaged", args));
      rows["day2-pods"]!.push(node("day2-pods", "day2-pods", args));
      rows["day2-all"]!.push(node("day2-all", "day2-all", args));
      process.stderr.write(
        `run ${i + 1}/${RUNS}: ${Object.entries(rows)
          .map(([k, v]) => `${k} ${(v[i]!.wallMs / 1000).toFixed(2)} s`)
          .join(", ")}\n`,
      );
    }
    const idleKb = median(rows.idle!.map((s) => s.maxRssKb));
    const jsonBytes = (JSON.parse(rows.unpaged![0]!.out) as { bytes: number }).bytes;
    const all = JSON.parse(rows["day2-all"]![0]!.out) as { objects: number };
    const line = (name: string, key: string, node = true): string => {
      const s = rows[key]!;
      const rss = median(s.map((x) => x.maxRssKb));
      return `| ${name} | ${(median(s.map((x) => x.wallMs)) / 1000).toFixed(2)} s | ${(rss / 1024).toFixed(0)} MB | ${node ? `${((rss - idleKb) / 1024).toFixed(0)} MB` : "(Go binary)"} |`;
    };
    const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
    const section = [
      `## Live collection: ${NODES.toLocaleString("en-US")} kwok nodes, ${PODS.toLocaleString("en-US")} pods, real kube-apiserver ${c.version}`,
      "",
      `Machine: ${machine}; apiserver, etcd and the client share its 2 cores. Medians of ${RUNS} runs. The pod list is ${(jsonBytes / 1048576).toFixed(1)} MB of JSON; the baseline (day2's code and its Kubernetes client loaded, nothing collected) is ${(idleKb / 1024).toFixed(0)} MB of RSS. Setup took ${setupS.toFixed(0)} s.`,
      "",
      "| what | median time | median peak RSS | above the baseline |",
      "|---|---|---|---|",
      line("`kubectl get pods -A -o json` (pages of 500)", "kubectl", false),
      line("plain unpaged GET /api/v1/pods + JSON.parse", "unpaged"),
      line("day2 collection, pods only (pages of 500, projected)", "day2-pods"),
      line(`day2 collection, every kind (${all.objects.toLocaleString("en-US")} objects)`, "day2-all"),
      "",
      "Targets: pods within 1.2x of kubectl's time; memory above baseline below the size of the JSON received.",
      "",
    ].join("\n");
    const resultsFile = join(ROOT, "bench", "RESULTS.md");
    const previous = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "# Benchmark results\n\n";
    const [head, ...rest] = previous.split(/\n(?=## )/);
    writeFileSync(
      resultsFile,
      [head!.trimEnd(), "", `<!-- ${new Date().toISOString()} -->`, section, ...rest].join("\n"),
    );
    process.stdout.write(section + "\n");
  } finally {
    await c.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:live failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
