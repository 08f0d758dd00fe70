/**
 * Progress and logs on stderr, never stdout. A progress bar when stderr is a terminal,
 * plain lines otherwise (CI logs, pipes), nothing at all for --quiet-like uses of -v 0
 * beyond the lines a person needs.
 */
import cliProgress from "cli-progress";

export interface Logger {
  info(msg: string): void;
  /** Shown with -v. */
  debug(msg: string): void;
  warn(msg: string): void;
}

export function makeLogger(verbose: number, stream: NodeJS.WriteStream = process.stderr): Logger {
  return {
    info: (m) => stream.write(`${m}\n`),
    debug: (m) => {
      if (verbose > 0) stream.write(`${m}\n`);
    },
    warn: (m) => stream.write(`warning: ${m}\n`),
  };
}

export interface KindProgress {
  start(totalKinds: number): void;
  /** A kind has received another page. */
  update(kind: string, objects: number): void;
  kindDone(kind: string, objects: number, status: string): void;
  stop(): void;
}

export function makeKindProgress(log: Logger, stream: NodeJS.WriteStream = process.stderr): KindProgress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: "collecting {bar} {value}/{total} kinds · {objects} objects · {kind}",
        hideCursor: true,
        clearOnComplete: true,
        stream,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    let objects = 0;
    let done = 0;
    const counts = new Map<string, number>();
    return {
      start: (total) => bar.start(total, 0, { objects: 0, kind: "" }),
      update: (kind, n) => {
        objects += n - (counts.get(kind) ?? 0);
        counts.set(kind, n);
        bar.update(done, { objects: objects.toLocaleString("en-US"), kind });
      },
      kindDone: (kind, n) => {
        objects += n - (counts.get(kind) ?? 0);
        counts.set(kind, n);
        done++;
        bar.update(done, { objects: objects.toLocaleString("en-US"), kind });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    start: () => undefined,
    update: () => undefined,
    kindDone: (kind, n, status) =>
      log.info(
        `collected ${kind}: ${status === "collected" ? `${n.toLocaleString("en-US")} objects` : status}`,
      ),
    stop: () => undefined,
  };
}
