/**
 * Leader election for the engine's workers, so timers fire and the outbox drains on one
 * replica when several share PostgreSQL (the store's claims are atomic anyway; leadership
 * avoids duplicate work and racing deliveries).
 *
 * - SQLite (one process): {@link AlwaysLeader}.
 * - PostgreSQL outside a cluster: {@link PgAdvisoryLeader}, a session `pg_try_advisory_lock`
 *   held on a dedicated connection, re-tried every `retryMs`; the connection is checked every
 *   `retryMs` while leading, and a lost connection is lost leadership (PostgreSQL releases a
 *   session lock when its session ends, so another replica takes over).
 * - In a cluster (KUBERNETES_SERVICE_HOST, or --leader-lease ns/name): {@link KubeLeaseLeader},
 *   a coordination.k8s.io/v1 Lease acquired, renewed and released through the KubeClient, every
 *   write guarded by resourceVersion (a 409 Conflict means another replica won).
 */
import pg from "pg";
import type { KubeClient } from "../kube/http.js";
import { KubeApiError } from "../kube/errors.js";

export interface Leadership {
  /** "always", "postgres advisory lock", "lease ns/name" (for logs). */
  readonly name: string;
  isLeader(): boolean;
  start(): Promise<void>;
  /** Gives leadership up (releases the lock or the lease). */
  stop(): Promise<void>;
}

export class AlwaysLeader implements Leadership {
  readonly name = "always (single process)";
  isLeader(): boolean {
    return true;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

type LeaderLog = (msg: string) => void;

/** A key of our own in pg_advisory_lock's bigint space ("day2lead"). */
export const LEADER_LOCK_KEY = 0x646179326c656164n;

export class PgAdvisoryLeader implements Leadership {
  readonly name = "postgres advisory lock";
  private client: pg.Client | undefined;
  private leader = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private busy: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly opts: { retryMs?: number; key?: bigint; log?: LeaderLog } = {},
  ) {}

  isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
    this.loop();
  }

  private loop(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.busy = this.attempt().finally(() => {
        this.busy = undefined;
        this.loop();
      });
    }, this.opts.retryMs ?? 2000);
  }

  private lost(why: string): void {
    if (this.leader) this.opts.log?.(`leadership lost: ${why}`);
    this.leader = false;
    const c = this.client;
    this.client = undefined;
    c?.end().catch(() => undefined);
  }

  /** Connects if needed, then takes the lock (or checks the connection while holding it). */
  private async attempt(): Promise<void> {
    try {
      if (!this.client) {
        const c = new pg.Client({ connectionString: this.url, application_name: "day2-leader" });
        c.on("error", (err) => this.lost(`connection error: ${err.message}`));
        await c.connect();
        this.client = c;
      }
      const c = this.client;
      if (this.leader) {
        await c.query("select 1");
        return;
      }
      const key = (this.opts.key ?? LEADER_LOCK_KEY).toString();
      const r = await c.query<{ locked: boolean }>("select pg_try_advisory_lock($1::bigint) as locked", [
        key,
      ]);
      if (r.rows[0]?.locked && !this.stopped) {
        this.leader = true;
        this.opts.log?.("leadership acquired (postgres advisory lock)");
      }
    } catch (err) {
      this.lost((err as Error).message);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.busy;
    const c = this.client;
    this.client = undefined;
    if (c) {
      if (this.leader)
        await c
          .query("select pg_advisory_unlock($1::bigint)", [(this.opts.key ?? LEADER_LOCK_KEY).toString()])
          .catch(() => undefined);
      await c.end().catch(() => undefined);
    }
    this.leader = false;
  }
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string; [k: string]: unknown };
  spec: LeaseSpec;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export interface LeaseOptions {
  /** Default 15 s. */
  leaseDurationSeconds?: number;
  /** How often to renew or retry, ms (default 2 s). */
  retryMs?: number;
  log?: LeaderLog;
  now?: () => number;
}

/** "ns/name" -> parts; throws naming the flag on anything else. */
export function parseLeaseRef(text: string): { namespace: string; name: string } {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text);
  if (!m) throw new Error(`--leader-lease: expected NAMESPACE/NAME, got ${JSON.stringify(text)}`);
  return { namespace: m[1]!, name: m[3]! };
}

export class KubeLeaseLeader implements Leadership {
  readonly name: string;
  private leader = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private busy: Promise<void> | undefined;
  private readonly path: string;
  private readonly duration: number;
  private readonly now: () => number;

  constructor(
    private readonly kube: KubeClient,
    private readonly ref: { namespace: string; name: string },
    private readonly identity: string,
    private readonly opts: LeaseOptions = {},
  ) {
    this.name = `lease ${ref.namespace}/${ref.name}`;
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(ref.namespace)}/leases`;
    this.duration = opts.leaseDurationSeconds ?? 15;
    this.now = opts.now ?? Date.now;
  }

  isLeader(): boolean {
    // Renewals failing for longer than the lease: another replica may hold it by now.
    if (this.leader && this.now() - this.lastRenew > this.duration * 1000)
      this.setLeader(false, "renewal overdue");
    return this.leader;
  }

  private setLeader(v: boolean, why: string): void {
    if (v !== this.leader)
      this.opts.log?.(`${v ? "leadership acquired" : "leadership lost"} (${this.name}): ${why}`);
    this.leader = v;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
    this.loop();
  }

  private loop(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.busy = this.attempt().finally(() => {
        this.busy = undefined;
        this.loop();
      });
    }, this.opts.retryMs ?? 2000);
  }

  private async read(): Promise<Lease | undefined> {
    const r = await this.kube.get(`${this.path}/${encodeURIComponent(this.ref.name)}`);
    if (r.type === "not-found") return undefined;
    if (r.type !== "ok") throw new Error(`GET lease ${this.ref.namespace}/${this.ref.name}: ${r.message}`);
    return JSON.parse(r.body.toString("utf8")) as Lease;
  }

  /** One acquire-or-renew round. Conflicts mean another replica wrote first: not leader. */
  async attempt(): Promise<void> {
    const now = this.now();
    try {
      const lease = await this.read();
      if (!lease) {
        const created: Lease = {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: this.ref.name, namespace: this.ref.namespace },
          spec: {
            holderIdentity: this.identity,
            leaseDurationSeconds: this.duration,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        };
        const r = await this.kube.post(this.path, created);
        if (r.type !== "ok") throw new Error(`create lease: ${r.message}`);
        this.lastRenew = now;
        this.setLeader(true, "created the lease");
        return;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
      const expired = holder === "" || now > renewed + (spec.leaseDurationSeconds ?? this.duration) * 1000;
      if (holder !== this.identity && !expired) {
        this.setLeader(false, `held by ${holder}`);
        return;
      }
      const mine = holder === this.identity;
      const next: Lease = {
        ...lease,
        spec: {
          ...spec,
          holderIdentity: this.identity,
          leaseDurationSeconds: this.duration,
          renewTime: microTime(now),
          ...(mine
            ? {}
            : { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
        },
      };
      const r = await this.kube.put(`${this.path}/${encodeURIComponent(this.ref.name)}`, next);
      if (r.type !== "ok") throw new Error(`update lease: ${r.message}`);
      this.lastRenew = now;
      this.setLeader(true, mine ? "renewed" : `took over from ${holder || "nobody"}`);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) {
        this.setLeader(false, "another replica updated the lease first");
        return;
      }
      this.opts.log?.(`lease ${this.ref.namespace}/${this.ref.name}: ${(err as Error).message}`);
      this.isLeader();
    }
  }

  /** Stops renewing and releases the lease if held (holder cleared), so a peer takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.busy;
    if (!this.leader) return;
    this.leader = false;
    try {
      const lease = await this.read();
      if (lease && lease.spec?.holderIdentity === this.identity)
        await this.kube.put(`${this.path}/${encodeURIComponent(this.ref.name)}`, {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: null,
            renewTime: null,
            acquireTime: null,
            leaseDurationSeconds: 1,
          },
        });
    } catch (err) {
      this.opts.log?.(`lease release: ${(err as Error).message}`);
    }
  }
}
