/**
 * The collection loop of `day2 serve`: every `intervalMs`, on the worker leader only, collect
 * once (collect.ts) and store the run. The schedule is read from the store (the time of the
 * latest run, by any replica), so a new leader carries on where the old one stopped instead of
 * collecting again at once. Runs never overlap; a failed run is stored with its error and
 * logged, and never ends the server.
 */
import type { StoreDb } from "../store/db.js";
import type { CollectionRetention, RecordedCollection } from "../store/collections.js";
import {
  DEFAULT_COLLECTION_RETENTION,
  latestRun,
  pruneCollections,
  recordCollection,
} from "../store/collections.js";
import type { CollectSettings, CollectSources, Collected } from "./collect.js";
import { collectOnce } from "./collect.js";

export interface CollectorLog {
  info(message: string): void;
  warn(message: string): void;
}

/** What one run did, for the log, the caller's hook and tests. */
export interface RunOutcome {
  at: number;
  ok: boolean;
  durationMs: number;
  error?: string;
  recorded?: RecordedCollection;
  collected?: Collected;
}

export interface CollectorOptions {
  store: StoreDb;
  sources: CollectSources;
  settings: CollectSettings;
  intervalMs: number;
  /** Only the worker leader collects (src/incident/engine-leader.ts). */
  isLeader: () => boolean;
  log: CollectorLog;
  retention?: CollectionRetention;
  /** After a stored run (e.g. the scheduled rhythm reports); its errors are logged. */
  afterRun?: (run: RunOutcome) => Promise<void>;
  /** How often the leader checks whether a run is due (default min(interval, 5 s)). */
  checkMs?: number;
  now?: () => number;
}

export class Collector {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RunOutcome> | undefined;
  private stopped = true;
  private readonly now: () => number;

  constructor(private readonly opts: CollectorOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts checking; the first run is due at once unless the store holds a recent one. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.check().finally(() =>
        this.schedule(this.opts.checkMs ?? Math.min(this.opts.intervalMs, 5000)),
      );
    }, ms);
    this.timer.unref();
  }

  /** Runs when leader and the latest stored run is at least one interval old. */
  async check(): Promise<RunOutcome | undefined> {
    if (!this.opts.isLeader()) return undefined;
    try {
      const last = await latestRun(this.opts.store);
      if (last && this.now() - last.at < this.opts.intervalMs) return undefined;
    } catch (e) {
      this.opts.log.warn(`collection: cannot read the latest run: ${(e as Error).message}`);
      return undefined;
    }
    return this.runOnce();
  }

  /** One run now; a call while a run is in progress gets that run. */
  runOnce(): Promise<RunOutcome> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<RunOutcome> {
    const at = this.now();
    let outcome: RunOutcome;
    try {
      const collected = await collectOnce(this.opts.sources, this.opts.settings, at);
      const durationMs = this.now() - at;
      const recorded = await recordCollection(this.opts.store, { ...collected.input, durationMs });
      outcome = { at, ok: true, durationMs, recorded, collected };
      const c = collected.input.counts!;
      this.opts.log.info(
        `collection: score ${collected.input.score ?? "n/a"}, findings ${Object.entries(c)
          .map(([s, n]) => `${s} ${n}`)
          .join(
            ", ",
          )}; ${recorded.opened} new, ${recorded.reopened} reopened, ${recorded.fixed} fixed in ${durationMs} ms`,
      );
      for (const n of collected.notes) this.opts.log.warn(`collection: ${n}`);
    } catch (e) {
      const durationMs = this.now() - at;
      const error = (e as Error).message || String(e);
      this.opts.log.warn(`collection failed: ${error}`);
      outcome = { at, ok: false, durationMs, error };
      try {
        outcome.recorded = await recordCollection(this.opts.store, { at, durationMs, ok: false, error });
      } catch (e2) {
        this.opts.log.warn(`collection: cannot store the failed run: ${(e2 as Error).message}`);
      }
    }
    await this.after(outcome);
    return outcome;
  }

  private async after(outcome: RunOutcome): Promise<void> {
    try {
      await pruneCollections(
        this.opts.store,
        this.opts.retention ?? DEFAULT_COLLECTION_RETENTION,
        outcome.at,
      );
    } catch (e) {
      this.opts.log.warn(`collection: retention failed: ${(e as Error).message}`);
    }
    if (!this.opts.afterRun) return;
    try {
      await this.opts.afterRun(outcome);
    } catch (e) {
      this.opts.log.warn(`collection: after-run hook failed: ${(e as Error).message}`);
    }
  }
}
