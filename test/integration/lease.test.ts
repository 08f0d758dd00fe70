/**
 * The incident engine's Kubernetes leader election (src/incident/engine-leader.ts
 * KubeLeaseLeader) against the real kube-apiserver, in a namespace of this file's own, with a
 * 2 s lease renewed every 0.5 s:
 *
 * - two leaders started at once for one coordination.k8s.io/v1 Lease: exactly one leads, and
 *   the Lease's holderIdentity names it, the whole time (sampled every 20 ms);
 * - the leader stops (releases the lease): the other takes over at its next retry, well within
 *   the lease duration, never both leading;
 * - the leader stops renewing (its API requests fail): it steps down once the lease duration
 *   has passed since its last renewal, and only then does the other take over;
 * - concurrent writes: several contenders read the Lease (the same resourceVersion) before
 *   any of them writes (a barrier in their KubeClient), then all create or all update it at
 *   once, round after round: exactly one wins each round, the rest get 409 Conflict and do not
 *   lead; leaseTransitions counts one per round.
 *
 * The namespace is deleted at the end.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KubeLeaseLeader, type LeaseOptions } from "../../src/incident/engine-leader.js";
import { KubeApiError } from "../../src/kube/errors.js";
import { KubeClient, type GetOptions, type KubeResult } from "../../src/kube/http.js";
import type { KubeConnection } from "../../src/kube/index.js";
import { waitFor } from "../cluster/harness.js";
import { adminConnection, api, closeApi, createNamespace, deleteNamespace } from "./env.js";

const DURATION_S = 2;
const RETRY_MS = 500;

interface LeaseObject {
  metadata: { name: string; resourceVersion: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** Resolves every waiter once `n` have arrived. */
class Barrier {
  private waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}
  arrive(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length >= this.n) {
        for (const w of this.waiting.splice(0)) w();
      }
    });
  }
}

/**
 * The real client, with two test switches: `down` makes every request fail (a replica cut
 * off from the apiserver), `barrier` holds each GET's answer until all contenders have read.
 */
class TestKube extends KubeClient {
  down = false;
  barrier: Barrier | undefined;
  /** Writes answered 409 (AlreadyExists / Conflict). */
  conflicts = 0;

  private async counted(w: Promise<KubeResult>): Promise<KubeResult> {
    try {
      return await w;
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 409) this.conflicts++;
      throw e;
    }
  }

  private check(method: string, path: string): void {
    if (this.down) throw new Error(`${method} ${path}: connection refused (test: cut off)`);
  }
  override async get(path: string, opts?: GetOptions): Promise<KubeResult> {
    this.check("GET", path);
    const r = await super.get(path, opts);
    await this.barrier?.arrive();
    return r;
  }
  override async post(path: string, body: unknown, opts?: GetOptions): Promise<KubeResult> {
    this.check("POST", path);
    return this.counted(super.post(path, body, opts));
  }
  override async put(path: string, body: unknown, opts?: GetOptions): Promise<KubeResult> {
    this.check("PUT", path);
    return this.counted(super.put(path, body, opts));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

void describe("KubeLeaseLeader: coordination.k8s.io Lease leader election on the real apiserver", () => {
  let ns = "";
  let conn: KubeConnection | undefined;
  const leaders: KubeLeaseLeader[] = [];
  const logs: string[] = [];

  function contender(
    name: string,
    identity: string,
    opts: LeaseOptions = {},
  ): { leader: KubeLeaseLeader; kube: TestKube } {
    const kube = new TestKube(conn!, { retry: { maxAttempts: 2, baseDelayMs: 100 } });
    const leader = new KubeLeaseLeader(kube, { namespace: ns, name }, identity, {
      leaseDurationSeconds: DURATION_S,
      retryMs: RETRY_MS,
      log: (m) => logs.push(`${identity}: ${m}`),
      ...opts,
    });
    leaders.push(leader);
    return { leader, kube };
  }

  async function lease(name: string): Promise<LeaseObject | undefined> {
    const r = await api<LeaseObject>("GET", `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`);
    if (r.status === 404) return undefined;
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  /**
   * Samples isLeader() of `ls` every 20 ms while `fn` runs; fails on any sample with more
   * than one leader. Returns the samples (the indexes of the leaders, one array per sample).
   */
  async function watchExclusive<T>(
    ls: KubeLeaseLeader[],
    fn: (samples: number[][]) => Promise<T>,
  ): Promise<{ value: T; samples: number[][] }> {
    const samples: number[][] = [];
    let running = true;
    const sampler = (async () => {
      while (running) {
        const leading = ls.flatMap((l, i) => (l.isLeader() ? [i] : []));
        samples.push(leading);
        if (leading.length > 1) throw new Error(`two leaders at once: ${JSON.stringify(leading)}`);
        await sleep(20);
      }
    })();
    try {
      const value = await fn(samples);
      return { value, samples };
    } finally {
      running = false;
      await sampler;
    }
  }

  before(async () => {
    ns = await createNamespace("lease");
    conn = adminConnection();
  });

  after(async () => {
    try {
      await Promise.all(leaders.map((l) => l.stop()));
      if (ns) await deleteNamespace(ns);
    } finally {
      conn?.close();
      closeApi();
    }
  });

  void it("two leaders started at once: exactly one leads, and holderIdentity names it", async () => {
    const a = contender("engine", "replica-a").leader;
    const b = contender("engine", "replica-b").leader;
    let started = 0;
    const { samples } = await watchExclusive([a, b], async (seen) => {
      await Promise.all([a.start(), b.start()]);
      started = seen.length;
      assert.equal([a, b].filter((l) => l.isLeader()).length, 1, logs.join("\n"));
      await sleep(3 * DURATION_S * 1000); // renewals keep it where it is
    });
    assert.ok(samples.length - started > 50, `${samples.length - started} samples`);
    const leader = a.isLeader() ? a : b;
    const id = leader === a ? "replica-a" : "replica-b";
    const later = samples.slice(started + 1).map((s) => s.join(","));
    assert.deepEqual(
      [...new Set(later)],
      [leader === a ? "0" : "1"],
      `leadership stayed with one replica while it renewed\n${logs.join("\n")}`,
    );
    const l = (await lease("engine"))!;
    assert.equal(l.spec.holderIdentity, id);
    assert.equal(l.spec.leaseDurationSeconds, DURATION_S);
    assert.equal(l.spec.leaseTransitions, 0);
    // Renewed recently (every 0.5 s), in MicroTime.
    assert.match(l.spec.renewTime!, /\.\d{6}Z$/);
    assert.ok(Date.now() - Date.parse(l.spec.renewTime!) < DURATION_S * 1000, l.spec.renewTime!);

    // The leader stops: it releases the lease, and the other takes over at its next retry.
    const other = leader === a ? b : a;
    const otherId = leader === a ? "replica-b" : "replica-a";
    const { value: tookMs } = await watchExclusive([a, b], async () => {
      const t0 = Date.now();
      await leader.stop();
      assert.equal(leader.isLeader(), false);
      const released = (await lease("engine"))!;
      // Either still released, or the other already took it; never the stopped one.
      assert.notEqual(released.spec.holderIdentity, id);
      await waitFor(() => other.isLeader(), {
        timeoutMs: DURATION_S * 1000,
        intervalMs: 10,
        description: `${otherId} takes over after the release`,
      });
      return Date.now() - t0;
    });
    assert.ok(tookMs <= RETRY_MS + 1000, `took over ${tookMs} ms after the release`);
    const taken = (await lease("engine"))!;
    assert.equal(taken.spec.holderIdentity, otherId);
    assert.equal(taken.spec.leaseTransitions, 1);
    assert.equal(taken.spec.leaseDurationSeconds, DURATION_S);
    await other.stop();
    const released = (await lease("engine"))!;
    assert.equal(released.spec.holderIdentity ?? null, null, "stop() released the lease");
  });

  void it("the leader stops renewing: it steps down after the lease duration, then the other takes over", async () => {
    const x = contender("renewals", "replica-x");
    const y = contender("renewals", "replica-y");
    await x.leader.start(); // x first: it leads
    await y.leader.start();
    assert.equal(x.leader.isLeader(), true, logs.join("\n"));
    assert.equal(y.leader.isLeader(), false);
    await sleep(2 * RETRY_MS);
    assert.equal((await lease("renewals"))!.spec.holderIdentity, "replica-x");

    const { value } = await watchExclusive([x.leader, y.leader], async () => {
      const cut = Date.now();
      x.kube.down = true; // x's renewals now fail; it does not release anything
      const lastRenew = Date.parse((await lease("renewals"))!.spec.renewTime!);
      const stepDown = await waitFor(() => !x.leader.isLeader() && Date.now(), {
        timeoutMs: (DURATION_S + 2) * 1000,
        intervalMs: 10,
        description: "replica-x steps down",
      });
      const takeOver = await waitFor(() => y.leader.isLeader() && Date.now(), {
        timeoutMs: (DURATION_S + 2) * 1000,
        intervalMs: 10,
        description: "replica-y takes over",
      });
      return { cut, lastRenew, stepDown, takeOver };
    });
    const { cut, lastRenew, stepDown, takeOver } = value;
    // x leads until its last renewal is a lease duration old, and no longer.
    assert.ok(
      stepDown - lastRenew >= DURATION_S * 1000,
      `stepped down ${stepDown - lastRenew} ms after renewal`,
    );
    assert.ok(
      stepDown - lastRenew <= DURATION_S * 1000 + RETRY_MS + 500,
      `stepped down ${stepDown - lastRenew} ms after its last renewal`,
    );
    // y takes the expired lease within duration + one retry of the last renewal.
    assert.ok(takeOver - lastRenew > DURATION_S * 1000, `took over ${takeOver - lastRenew} ms after renewal`);
    assert.ok(
      takeOver - cut <= DURATION_S * 1000 + RETRY_MS + 1000,
      `took over ${takeOver - cut} ms after the cut`,
    );
    const l = (await lease("renewals"))!;
    assert.equal(l.spec.holderIdentity, "replica-y");
    assert.equal(l.spec.leaseTransitions, 1);
    assert.ok(logs.some((m) => m.startsWith("replica-x: leadership lost") && m.endsWith("renewal overdue")));

    // x reconnects: it sees y's live lease and stays a follower.
    x.kube.down = false;
    await watchExclusive([x.leader, y.leader], () => sleep(3 * RETRY_MS));
    assert.equal(x.leader.isLeader(), false);
    assert.equal(y.leader.isLeader(), true);
    assert.equal((await lease("renewals"))!.spec.holderIdentity, "replica-y");
    await Promise.all([x.leader.stop(), y.leader.stop()]);
  });

  void it("conflicting writes (same resourceVersion): exactly one winner per round, the rest get 409", async () => {
    const N = 4;
    const ROUNDS = 8;
    const ids = Array.from({ length: N }, (_, i) => `racer-${i}`);
    // Not started: the test drives the rounds with attempt(), so no timers interfere.
    const cs = ids.map((id) => contender("race", id, { retryMs: 60_000 }));
    const before = logs.length;
    const winners: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const current = await lease("race");
      if (current) {
        // Expire the lease the way a release does, so every contender may take it.
        const r = await api("PUT", `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/race`, {
          ...current,
          spec: { ...current.spec, holderIdentity: null, renewTime: null },
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      const rv = current ? (await lease("race"))!.metadata.resourceVersion : undefined;
      const barrier = new Barrier(N);
      const conflictsBefore = cs.reduce((n, c) => n + c.kube.conflicts, 0);
      for (const c of cs) c.kube.barrier = barrier;
      await Promise.all(cs.map((c) => c.leader.attempt()));
      for (const c of cs) c.kube.barrier = undefined;
      // All read the same Lease before any wrote: every write but one was refused with 409.
      const conflicts = cs.reduce((n, c) => n + c.kube.conflicts, 0) - conflictsBefore;
      assert.equal(conflicts, N - 1, `round ${round}: ${conflicts} conflicts\n${logs.join("\n")}`);

      const leading = cs.flatMap((c, i) => (c.leader.isLeader() ? [ids[i]!] : []));
      assert.equal(
        leading.length,
        1,
        `round ${round}: leaders ${JSON.stringify(leading)}\n${logs.join("\n")}`,
      );
      const l = (await lease("race"))!;
      assert.equal(l.spec.holderIdentity, leading[0], `round ${round}`);
      // One write per round: the winner's (from rv, or the create).
      assert.equal(l.spec.leaseTransitions, round, `round ${round}`);
      if (rv) assert.notEqual(l.metadata.resourceVersion, rv);
      winners.push(leading[0]!);
    }
    // Nothing but 409s: no contender logged another error or found the lease held.
    const other = logs.slice(before).filter((m) => /^racer-\d: lease .*: /.test(m) || m.includes("held by"));
    assert.deepEqual(other, []);
    assert.equal(winners.length, ROUNDS);
  });
});
