import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { hasKubeConfig, impersonationHeaders, loadKubeConfig, resolveKubeConfigSource } from "./config.js";
import { KubeConfigError } from "./errors.js";

const dir = mkdtempSync(path.join(tmpdir(), "day2-kubeconfig-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(text: string, name = `config-${++n}.yaml`): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function kubeconfig(
  opts: { server?: string | null; user?: string; current?: string; extraUsers?: string } = {},
): string {
  const server = opts.server === null ? "" : `\n    server: ${opts.server ?? "https://127.0.0.1:6443"}`;
  return `apiVersion: v1
kind: Config
current-context: ${opts.current ?? "dev"}
clusters:
- name: dev-cluster
  cluster:${server}
    insecure-skip-tls-verify: true
contexts:
- name: dev
  context:
    cluster: dev-cluster
    user: dev-user
    namespace: team-a
users:
- name: dev-user
  user:
${opts.user ?? "    token: abc123"}
${opts.extraUsers ?? ""}`;
}

/** Options that isolate a test from the machine's own kubeconfig and environment. */
function isolated(extra: Record<string, unknown> = {}) {
  return { env: {}, homeDir: path.join(dir, "no-home"), ...extra };
}

async function rejectsConfig(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof KubeConfigError, `expected KubeConfigError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /\n/, "one line");
    return true;
  });
}

void describe("kubeconfig errors name the file and the field", () => {
  void it("missing file", async () => {
    const file = path.join(dir, "nope.yaml");
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      new RegExp(`kubeconfig ${file}: file not found`),
    );
  });
  void it("not YAML", async () => {
    const file = write("clusters: [unclosed\n  - {{{");
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      new RegExp(`kubeconfig ${file}: not valid YAML: .*line`),
    );
  });
  void it("YAML but not a kubeconfig", async () => {
    const file = write("just some text");
    await rejectsConfig(loadKubeConfig(isolated({ kubeconfig: file })), /not a kubeconfig/);
  });
  void it("clusters not a list", async () => {
    const file = write("clusters: {a: 1}");
    await rejectsConfig(loadKubeConfig(isolated({ kubeconfig: file })), /field "clusters" must be a list/);
  });
  void it("unknown --context lists the available ones", async () => {
    const file = write(kubeconfig());
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file, context: "prod" })),
      new RegExp(`kubeconfig ${file}: context "prod" \\(from --context\\) not found \\(available: dev\\)`),
    );
  });
  void it("current-context that does not exist", async () => {
    const file = write(kubeconfig({ current: "gone" }));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      /context "gone" \(from current-context\) not found/,
    );
  });
  void it("no current-context and no --context", async () => {
    const file = write(kubeconfig().replace(/^current-context:.*$/m, ""));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      /no current-context set and no --context given \(contexts: available: dev\)/,
    );
  });
  void it("cluster without server", async () => {
    const file = write(kubeconfig({ server: null }));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      new RegExp(
        `kubeconfig ${file}: cluster "dev-cluster" has no server \\(field clusters\\[0\\]\\.cluster\\.server\\)`,
      ),
    );
  });
  void it("server that is not a URL", async () => {
    const file = write(kubeconfig({ server: "not a url" }));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      /clusters\[0\]\.cluster\.server: "not a url" is not a URL/,
    );
  });
  void it("context naming an undefined cluster", async () => {
    const file = write(kubeconfig().replace("cluster: dev-cluster", "cluster: other"));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      /context "dev" refers to cluster "other", which is not defined \(available: dev-cluster\)/,
    );
  });
  void it("context naming an undefined user", async () => {
    const file = write(kubeconfig().replace("user: dev-user", "user: ghost"));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      /context "dev" refers to user "ghost", which is not defined/,
    );
  });
  void it("user without credentials", async () => {
    const file = write(kubeconfig({ user: "    username: only-name" }));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      new RegExp(
        `kubeconfig ${file}: user "dev-user" \\(context "dev"\\) has no credentials: .*\\(users\\[0\\]\\.user\\)`,
      ),
    );
  });
  void it("client certificate without key", async () => {
    const file = write(kubeconfig({ user: "    client-certificate-data: Zm9v" }));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      /user "dev-user" has a client certificate without a key/,
    );
  });
  void it("unreadable file reference, resolved relative to the kubeconfig", async () => {
    const file = write(
      kubeconfig({ user: "    client-certificate: certs/me.crt\n    client-key: certs/me.key" }),
    );
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      new RegExp(
        `users\\[0\\]\\.user\\.client-certificate: cannot read ${path.join(dir, "certs", "me.crt")} \\(ENOENT\\)`,
      ),
    );
  });
  void it("exec without command", async () => {
    const file = write(kubeconfig({ user: "    exec:\n      apiVersion: client.authentication.k8s.io/v1" }));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      /users\[0\]\.user\.exec\.command is missing/,
    );
  });
  void it("KUBECONFIG naming only missing files", async () => {
    const env = { KUBECONFIG: [path.join(dir, "x"), path.join(dir, "y")].join(path.delimiter) };
    await rejectsConfig(loadKubeConfig(isolated({ env })), /KUBECONFIG names no existing file/);
  });
});

void describe("source precedence", () => {
  const home = path.join(dir, "home");
  mkdirSync(path.join(home, ".kube"), { recursive: true });
  const homeConfig = path.join(home, ".kube", "config");
  writeFileSync(homeConfig, kubeconfig());
  const saRoot = path.join(dir, "sa");
  const saDir = path.join(saRoot, "var/run/secrets/kubernetes.io/serviceaccount");
  mkdirSync(saDir, { recursive: true });
  writeFileSync(path.join(saDir, "token"), "sa-token\n");
  writeFileSync(path.join(saDir, "ca.crt"), "not-a-real-ca");
  writeFileSync(path.join(saDir, "namespace"), "day2-system\n");
  const clusterEnv = { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" };

  void it("--kubeconfig wins, even over KUBECONFIG", () => {
    const s = resolveKubeConfigSource({ kubeconfig: "/a", env: { KUBECONFIG: "/b" }, homeDir: home });
    assert.deepEqual(s, { type: "files", files: ["/a"], origin: "--kubeconfig" });
  });
  void it("KUBECONFIG is a path list", () => {
    const s = resolveKubeConfigSource({
      env: { KUBECONFIG: ["/a", "", "/b"].join(path.delimiter) },
      homeDir: home,
    });
    assert.deepEqual(s, { type: "files", files: ["/a", "/b"], origin: "KUBECONFIG" });
  });
  void it("then ~/.kube/config", () => {
    assert.deepEqual(resolveKubeConfigSource({ env: clusterEnv, homeDir: home, inClusterRoot: saRoot }), {
      type: "files",
      files: [homeConfig],
      origin: "home",
    });
  });
  void it("then in-cluster", () => {
    const s = resolveKubeConfigSource({
      env: clusterEnv,
      homeDir: path.join(dir, "empty"),
      inClusterRoot: saRoot,
    });
    assert.equal(s.type, "in-cluster");
  });
  void it("hasKubeConfig is false with nothing at all", () => {
    assert.equal(hasKubeConfig({ env: {}, homeDir: path.join(dir, "empty"), inClusterRoot: saRoot }), false);
    assert.equal(
      hasKubeConfig({
        env: { KUBERNETES_SERVICE_HOST: "x" },
        homeDir: path.join(dir, "empty"),
        inClusterRoot: saRoot,
      }),
      false,
    );
    assert.equal(hasKubeConfig({ env: {}, homeDir: home }), true);
    assert.equal(hasKubeConfig({ env: { KUBECONFIG: "/missing" }, homeDir: path.join(dir, "empty") }), true);
  });
  void it("in-cluster: service account token, CA and namespace", async () => {
    const conn = await loadKubeConfig({
      env: clusterEnv,
      homeDir: path.join(dir, "empty"),
      inClusterRoot: saRoot,
    });
    try {
      assert.equal(conn.server, "https://10.0.0.1:443");
      assert.equal(conn.namespace, "day2-system");
      const m = await conn.material();
      assert.match(String(m.headers["Authorization"]), /^Bearer sa-token/);
    } finally {
      conn.close();
    }
  });
  void it("in-cluster wraps IPv6 hosts", async () => {
    const env = { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" };
    const conn = await loadKubeConfig({ env, homeDir: path.join(dir, "empty"), inClusterRoot: saRoot });
    conn.close();
    assert.equal(conn.server, "https://[fd00::1]:443");
  });
});

void describe("KUBECONFIG merge follows kubectl (first wins)", () => {
  void it("takes current-context and same-named entries from the first file", async () => {
    const first = write(kubeconfig({ server: "https://first.invalid:6443" }));
    const second = write(kubeconfig({ server: "https://second.invalid:6443", current: "other" }));
    const env = { KUBECONFIG: [path.join(dir, "missing"), first, second].join(path.delimiter) };
    const conn = await loadKubeConfig(isolated({ env }));
    conn.close();
    assert.equal(conn.server, "https://first.invalid:6443");
    assert.equal(conn.context, "dev");
    assert.equal(conn.namespace, "team-a");
  });
});

void describe("impersonation", () => {
  void it("flags override the kubeconfig user's as / as-groups", () => {
    assert.deepEqual(impersonationHeaders({ as: "alice" }, { as: "bob", asGroups: ["g1"] }), {
      "Impersonate-User": "alice",
      "Impersonate-Group": ["g1"],
    });
    assert.deepEqual(impersonationHeaders({ asGroups: ["ops", "dev"] }, { as: "bob", asGroups: ["g1"] }), {
      "Impersonate-User": "bob",
      "Impersonate-Group": ["ops", "dev"],
    });
    assert.deepEqual(impersonationHeaders({}, {}), {});
  });
  void it("refuses groups without a user", () => {
    assert.throws(
      () => impersonationHeaders({ asGroups: ["ops"] }),
      /requires a user to impersonate: add --as/,
    );
  });
  void it("reaches the request headers, replacing client-node's own Impersonate-User", async () => {
    const file = write(
      kubeconfig({ user: "    token: t0k\n    as: from-config\n    as-groups: [cfg-group]" }),
    );
    const conn = await loadKubeConfig(isolated({ kubeconfig: file }));
    let m = await conn.material();
    assert.equal(m.headers["Authorization"], "Bearer t0k");
    assert.equal(m.headers["Impersonate-User"], "from-config");
    assert.deepEqual(m.headers["Impersonate-Group"], ["cfg-group"]);
    conn.close();
    const flagged = await loadKubeConfig(
      isolated({ kubeconfig: file, as: "alice", asGroups: ["system:masters"] }),
    );
    m = await flagged.material();
    flagged.close();
    assert.equal(m.headers["Impersonate-User"], "alice");
    assert.deepEqual(m.headers["Impersonate-Group"], ["system:masters"]);
  });
});

void describe("exec credential plugins (through client-node)", () => {
  const counter = path.join(dir, "exec-count");
  const plugin = write(
    `const fs = require("node:fs");
const f = ${JSON.stringify(counter)};
const n = fs.existsSync(f) ? Number(fs.readFileSync(f, "utf8")) + 1 : 1;
fs.writeFileSync(f, String(n));
if (process.env.FAIL_PLUGIN) { process.stderr.write("plugin says no\\n"); process.exit(1); }
process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "exec-" + n } }));
`,
    "plugin.cjs",
  );
  const execUser = (fail: boolean): string =>
    `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${JSON.stringify(process.execPath)}\n      args: [${JSON.stringify(plugin)}]` +
    (fail ? `\n      env:\n      - name: FAIL_PLUGIN\n        value: "1"` : "");

  void it("runs the plugin once per refresh period and again when forced (after a 401)", async () => {
    rmSync(counter, { force: true });
    const file = write(kubeconfig({ user: execUser(false) }));
    const conn = await loadKubeConfig(isolated({ kubeconfig: file }));
    try {
      assert.equal((await conn.material()).headers["Authorization"], "Bearer exec-1");
      assert.equal((await conn.material()).headers["Authorization"], "Bearer exec-1");
      assert.equal(readFileSync(counter, "utf8"), "1");
      assert.equal((await conn.material(true)).headers["Authorization"], "Bearer exec-2");
    } finally {
      conn.close();
    }
  });
  void it("a failing plugin is a KubeConfigError naming the user", async () => {
    const file = write(kubeconfig({ user: execUser(true) }));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      /credentials for user "dev-user" failed: plugin says no/,
    );
  });
});

void describe("proxy-url", () => {
  for (const [proxy, agentName] of [
    ["http://127.0.0.1:3128", "HttpsProxyAgent"],
    ["socks5://127.0.0.1:1080", "SocksProxyAgent"],
  ] as const) {
    void it(`${proxy} uses client-node's ${agentName}, with keep-alive on`, async () => {
      const file = write(kubeconfig().replace("insecure-skip-tls-verify: true", `proxy-url: ${proxy}`));
      const conn = await loadKubeConfig(isolated({ kubeconfig: file }));
      try {
        const { agent } = await conn.material();
        assert.equal(agent.constructor.name, agentName);
        assert.equal((agent as unknown as { keepAlive: boolean }).keepAlive, true);
      } finally {
        conn.close();
      }
    });
  }
  void it("refuses a proxy-url that is not a URL", async () => {
    const file = write(kubeconfig().replace("insecure-skip-tls-verify: true", "proxy-url: ftp://x"));
    await rejectsConfig(
      loadKubeConfig(isolated({ kubeconfig: file })),
      /clusters\[0\]\.cluster\.proxy-url: must be/,
    );
  });
});
