/**
 * The intake queue between the webhook routes and the store. A delivery is answered only after
 * the transaction holding it has committed; deliveries that arrive while a commit is running
 * wait and are committed together in the next one (group commit), which is what lets SQLite
 * take thousands of alerts per second. The queue is bounded: when it is full, submit() throws
 * IntakeFullError and the route answers 503 with Retry-After, so Alertmanager retries later
 * instead of the server buffering without limit.
 */
import { InvalidInputError } from "./ports.js";
import type { IntakeGroup } from "./ports.js";
import type { ServerMetrics } from "./metrics.js";

export interface IntakeOptions {
  /** Deliveries waiting or being committed at once; 0 refuses every delivery. Default 1000. */
  capacity: number;
  /** Alerts per transaction, at most (a single larger delivery still goes in one). Default 2000. */
  maxBatchAlerts: number;
  /** Wait this long for more deliveries before a commit (0: commit as soon as the store is free). */
  lingerMs: number;
  /** Retry-After seconds in a 503 answer. */
  retryAfterSeconds: number;
}

export const DEFAULT_INTAKE: IntakeOptions = {
  capacity: 1000,
  maxBatchAlerts: 2000,
  lingerMs: 0,
  retryAfterSeconds: 1,
};

export class IntakeFullError extends Error {
  constructor(readonly capacity: number) {
    super(`intake queue is full (${capacity} deliveries waiting); retry later`);
    this.name = "IntakeFullError";
  }
}

export class IntakeClosedError extends Error {
  constructor() {
    super("the server is shutting down");
    this.name = "IntakeClosedError";
  }
}

/** The store failed to commit a delivery; the sender should retry. */
export class IntakeCommitError extends Error {
  constructor(cause: unknown) {
    super(`the store could not commit the alerts: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "IntakeCommitError";
  }
}

interface Pending {
  groups: IntakeGroup[];
  alerts: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class IntakeQueue {
  private readonly waiting: Pending[] = [];
  private inFlight = 0;
  private running = false;
  private closed = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly commit: (groups: IntakeGroup[]) => Promise<void>,
    private readonly opts: IntakeOptions,
    private readonly metrics?: ServerMetrics,
  ) {}

  /** Deliveries accepted and not yet answered (waiting plus committing). */
  get depth(): number {
    return this.waiting.length + this.inFlight;
  }

  get retryAfterSeconds(): number {
    return this.opts.retryAfterSeconds;
  }

  /** Resolves once the groups are committed; rejects with IntakeFullError, IntakeClosedError or IntakeCommitError. */
  submit(groups: IntakeGroup[]): Promise<void> {
    if (this.closed) return Promise.reject(new IntakeClosedError());
    if (this.depth >= this.opts.capacity) return Promise.reject(new IntakeFullError(this.opts.capacity));
    const alerts = groups.reduce((n, g) => n + g.alerts.length, 0);
    const done = new Promise<void>((resolve, reject) => {
      this.waiting.push({ groups, alerts, resolve, reject });
    });
    this.metrics?.queueDepth.set(this.depth);
    if (!this.running) void this.run();
    return done;
  }

  /** Refuses new deliveries and resolves when every accepted one has been answered. */
  async drain(): Promise<void> {
    this.closed = true;
    if (this.depth === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        // better-sqlite3 commits synchronously, so requests that arrived during the last commit
        // are still unread: one turn of the event loop lets them join this batch (measured: one
        // fsync per ~4 deliveries instead of one per delivery during an alert storm).
        if (this.opts.lingerMs > 0) await new Promise((r) => setTimeout(r, this.opts.lingerMs));
        else await new Promise((r) => setImmediate(r));
        const batch = this.take();
        this.inFlight = batch.length;
        await this.commitBatch(batch);
        this.inFlight = 0;
        this.metrics?.queueDepth.set(this.depth);
      }
    } finally {
      this.running = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let alerts = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (batch.length > 0 && alerts + next.alerts > this.opts.maxBatchAlerts) break;
      batch.push(this.waiting.shift()!);
      alerts += next.alerts;
    }
    return batch;
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    try {
      await this.commit(batch.flatMap((p) => p.groups));
      this.metrics?.batchSize.observe(batch.length);
      for (const p of batch) p.resolve();
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(commitError(err));
        return;
      }
    }
    // One delivery must not fail the others it shared a transaction with: commit them one by one.
    for (const p of batch) {
      try {
        await this.commit(p.groups);
        this.metrics?.batchSize.observe(1);
        p.resolve();
      } catch (err) {
        p.reject(commitError(err));
      }
    }
  }
}

/** Input the store refused stays a 400 (retrying cannot help); anything else is retryable. */
function commitError(err: unknown): Error {
  return err instanceof InvalidInputError ? err : new IntakeCommitError(err);
}
