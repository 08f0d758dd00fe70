/**
 * Trivy Operator VulnerabilityReports for the demo cluster: one per container of about a
 * fifth of the long-running workloads (Deployments through their current ReplicaSet,
 * StatefulSets, DaemonSets), so the CVE KPIs, the report and the rhythm's security item have
 * figures. A report's CVEs are a pure function of its image (the same image, the same CVEs, as
 * Trivy would find), drawn from small pools so distinct counts stay believable at any scale:
 * a few critical, more high, many medium and low. Only critical and high entries are listed
 * (the summary carries every count, as the operator's summary does); nothing here draws from
 * the generator's random stream or clock, so every other object is the same with or without it.
 */
import type { KubeObject } from "../state/raw.js";
import { TRIVY_LABELS } from "../state/project/trivy.js";
import { DAY, DEMO_NOW_MS, at, templateHash, uidOf } from "./format.js";
import type { Gen } from "./gen.js";
import type { ContainerPlan, NamespacePlan, WorkloadPlan } from "./plan.js";
import { hashParts, hexFromKey, unit } from "./random.js";

/** One workload in this many has its images scanned. */
const SCANNED_ONE_IN = 5;

/** [id, package, installed, fixed, title]: critical findings, rare. */
const CRITICAL: readonly (readonly [string, string, string, string, string])[] = [
  [
    "CVE-2024-45337",
    "golang.org/x/crypto",
    "v0.27.0",
    "0.31.0",
    "golang.org/x/crypto/ssh: misuse of ServerConfig.PublicKeyCallback may cause authorization bypass",
  ],
  [
    "CVE-2024-24790",
    "stdlib",
    "1.21.9",
    "1.21.11",
    "golang: net/netip: unexpected behavior from Is methods for IPv4-mapped IPv6 addresses",
  ],
  [
    "CVE-2023-45853",
    "zlib1g",
    "1:1.2.13.dfsg-1",
    "",
    "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6",
  ],
  ["CVE-2024-45491", "libexpat1", "2.5.0-1", "2.5.0-1+deb12u1", "libexpat: integer overflow in dtdCopy"],
];

/** High findings, common. */
const HIGH: readonly (readonly [string, string, string, string, string])[] = [
  [
    "CVE-2023-44487",
    "golang.org/x/net",
    "v0.15.0",
    "0.17.0",
    "HTTP/2: multiple HTTP/2 enabled web servers are vulnerable to a DDoS attack (Rapid Reset Attack)",
  ],
  [
    "CVE-2024-34156",
    "stdlib",
    "1.21.9",
    "1.22.7",
    "encoding/gob: golang: Calling Decoder.Decode on a message which contains deeply nested structures can cause a panic",
  ],
  [
    "CVE-2023-39325",
    "golang.org/x/net",
    "v0.15.0",
    "0.17.0",
    "golang: net/http, x/net/http2: rapid stream resets can cause excessive work",
  ],
  [
    "CVE-2024-6119",
    "libssl3",
    "3.0.13-1~deb12u1",
    "3.0.14-1~deb12u2",
    "openssl: Possible denial of service in X.509 name checks",
  ],
  [
    "CVE-2024-2961",
    "libc6",
    "2.36-9+deb12u4",
    "2.36-9+deb12u7",
    "glibc: Out of bounds write in iconv may lead to remote code execution",
  ],
  [
    "CVE-2023-4911",
    "libc6",
    "2.36-9",
    "2.36-9+deb12u3",
    "glibc: buffer overflow in ld.so leading to privilege escalation",
  ],
  [
    "CVE-2024-33599",
    "libc6",
    "2.36-9+deb12u4",
    "2.36-9+deb12u7",
    "glibc: stack-based buffer overflow in netgroup cache",
  ],
  [
    "CVE-2023-52425",
    "libexpat1",
    "2.5.0-1",
    "2.5.0-1+deb12u1",
    "expat: parsing large tokens can trigger a denial of service",
  ],
  [
    "CVE-2024-45490",
    "libexpat1",
    "2.5.0-1",
    "2.5.0-1+deb12u1",
    "libexpat: Negative Length Parsing Vulnerability in libexpat",
  ],
  [
    "CVE-2024-37371",
    "libgssapi-krb5-2",
    "1.20.1-2+deb12u1",
    "1.20.1-2+deb12u2",
    "krb5: GSS message token handling",
  ],
  [
    "CVE-2024-24791",
    "stdlib",
    "1.21.9",
    "1.21.12",
    "net/http: Denial of service due to improper 100-continue handling in net/http",
  ],
  [
    "CVE-2023-38545",
    "curl",
    "7.88.1-10+deb12u3",
    "7.88.1-10+deb12u4",
    "curl: heap based buffer overflow in the SOCKS5 proxy handshake",
  ],
  ["CVE-2024-21626", "github.com/opencontainers/runc", "v1.1.5", "1.1.12", "runc: file descriptor leak"],
  [
    "CVE-2022-40897",
    "setuptools",
    "65.5.0",
    "65.5.1",
    "pypa-setuptools: Regular Expression Denial of Service (ReDoS) in package_index.py",
  ],
  [
    "CVE-2024-35195",
    "requests",
    "2.31.0",
    "2.32.0",
    "requests: subsequent requests to the same host ignore cert verification",
  ],
  ["CVE-2024-39338", "axios", "1.6.8", "1.7.4", "axios: Server-Side Request Forgery"],
  [
    "CVE-2024-4068",
    "braces",
    "3.0.2",
    "3.0.3",
    "braces: fails to limit the number of characters it can handle",
  ],
  [
    "CVE-2024-28863",
    "tar",
    "6.2.0",
    "6.2.1",
    "node-tar: denial of service while parsing a tar file due to lack of folders depth validation",
  ],
];

/** The scanned images' profiles: a pure function of the image. */
export interface ImageCveProfile {
  readonly critical: readonly number[];
  readonly high: readonly number[];
  readonly medium: number;
  readonly low: number;
  readonly unknown: number;
}

/** Up to `n` distinct pool indices picked by the image's hash. */
function pick(image: string, what: string, n: number, pool: number): number[] {
  const out = new Set<number>();
  for (let i = 0; out.size < n && i < 4 * n; i++) out.add(hashParts(0, what, image, i) % pool);
  return [...out].sort((a, b) => a - b);
}

/** 1 image in 12 has a critical CVE (1 in 60 two); most have a few highs; all have medium and low. */
export function imageProfile(image: string): ImageCveProfile {
  const u = (what: string): number => unit(hashParts(0, what, image));
  const c = u("critical");
  const h = u("high");
  return {
    critical: pick(image, "critical-ids", c < 1 / 60 ? 2 : c < 1 / 12 ? 1 : 0, CRITICAL.length),
    high: pick(image, "high-ids", h < 0.3 ? 0 : h < 0.6 ? 1 : h < 0.85 ? 2 : 4, HIGH.length),
    medium: 2 + Math.floor(u("medium") * 24),
    low: 8 + Math.floor(u("low") * 60),
    unknown: u("unknown") < 0.2 ? 1 : 0,
  };
}

/** registry server, repository, tag and digest of an image reference, as Trivy reports them. */
export function artifactOf(image: string): {
  server: string;
  repository: string;
  tag: string;
  digest: string;
} {
  const at = image.indexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : "";
  let rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(":");
  const tag = colon > rest.lastIndexOf("/") ? rest.slice(colon + 1) : "";
  if (tag) rest = rest.slice(0, colon);
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  const hasHost = first.includes(".") || first.includes(":") || first === "localhost";
  const server = !hasHost || first === "docker.io" ? "index.docker.io" : first;
  let repository = hasHost ? rest.slice(slash + 1) : rest;
  if (server === "index.docker.io" && !repository.includes("/")) repository = `library/${repository}`;
  return { server, repository, tag: tag || (digest ? "" : "latest"), digest };
}

function scanned(g: Gen, ns: string, w: WorkloadPlan): boolean {
  if (w.kind !== "Deployment" && w.kind !== "StatefulSet" && w.kind !== "DaemonSet") return false;
  return hashParts(g.seed, "trivy", ns, w.name) % SCANNED_ONE_IN === 0;
}

/** The object Trivy Operator scans for a workload: a Deployment's current ReplicaSet, else itself. */
function scannedObject(
  g: Gen,
  ns: string,
  w: WorkloadPlan,
): { kind: string; name: string; apiVersion: string } {
  if (w.kind !== "Deployment") return { kind: w.kind, name: w.name, apiVersion: "apps/v1" };
  // The same name workloads.ts gives the current ReplicaSet.
  const hash = templateHash(w.fixedNames ? 0 : g.seed, `${ns}/${w.name}/${w.revision}`);
  return { kind: "ReplicaSet", name: `${w.name}-${hash}`, apiVersion: "apps/v1" };
}

function vulnerabilities(
  ids: readonly number[],
  pool: typeof CRITICAL,
  severity: "CRITICAL" | "HIGH",
): Record<string, unknown>[] {
  return ids.map((i) => {
    const [id, resource, installedVersion, fixedVersion, title] = pool[i]!;
    return {
      vulnerabilityID: id,
      severity,
      resource,
      installedVersion,
      fixedVersion,
      title,
      primaryLink: `https://avd.aquasec.com/nvd/${id.toLowerCase()}`,
      score: severity === "CRITICAL" ? 9.8 : 7.5,
    };
  });
}

function report(g: Gen, ns: string, w: WorkloadPlan, c: ContainerPlan): KubeObject {
  const target = scannedObject(g, ns, w);
  const name = `${target.kind.toLowerCase()}-${target.name}-${c.name}`.slice(0, 253);
  const p = imageProfile(c.image);
  const a = artifactOf(c.image);
  const scannedAgo = (1 + (hashParts(g.seed, "scan", ns, name) % 20)) * 3_600_000;
  return {
    apiVersion: "aquasecurity.github.io/v1alpha1",
    kind: "VulnerabilityReport",
    metadata: {
      name,
      namespace: ns,
      uid: uidOf(g.seed, "VulnerabilityReport", ns, name),
      resourceVersion: String(1_000_000 + (hashParts(g.seed, "rv", ns, name) % 8_000_000)),
      creationTimestamp: at(DEMO_NOW_MS - Math.min(w.ageDays * DAY, 30 * DAY)),
      labels: {
        [TRIVY_LABELS.kind]: target.kind,
        [TRIVY_LABELS.name]: target.name,
        "trivy-operator.resource.namespace": ns,
        [TRIVY_LABELS.container]: c.name,
      },
      ownerReferences: [
        {
          apiVersion: target.apiVersion,
          kind: target.kind,
          name: target.name,
          uid: uidOf(g.seed, target.kind, ns, target.name),
          controller: true,
        },
      ],
    },
    report: {
      updateTimestamp: at(DEMO_NOW_MS - scannedAgo),
      scanner: { name: "Trivy", vendor: "Aqua Security", version: "0.61.0" },
      registry: { server: a.server },
      artifact: {
        repository: a.repository,
        ...(a.tag ? { tag: a.tag } : {}),
        digest: a.digest || `sha256:${hexFromKey(0, c.image, 64)}`,
      },
      os: { family: "debian", name: "12.8" },
      summary: {
        criticalCount: p.critical.length,
        highCount: p.high.length,
        mediumCount: p.medium,
        lowCount: p.low,
        unknownCount: p.unknown,
        noneCount: 0,
      },
      vulnerabilities: [
        ...vulnerabilities(p.critical, CRITICAL, "CRITICAL"),
        ...vulnerabilities(p.high, HIGH, "HIGH"),
      ],
    },
  };
}

/** The namespace's VulnerabilityReports (after its workloads, as the operator writes them). */
export function* vulnerabilityReports(g: Gen, ns: NamespacePlan): Generator<KubeObject> {
  for (const w of ns.workloads) {
    if (!scanned(g, ns.name, w)) continue;
    for (const c of w.containers) yield report(g, ns.name, w, c);
  }
}
