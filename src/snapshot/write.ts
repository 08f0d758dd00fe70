/**
 * Writes day2's snapshot format. Objects stream in through a synchronous sink (the same sink
 * shape the live collector feeds), are buffered up to 1 MiB and written as gzip members:
 * concatenated gzip members are one valid gzip stream, and synchronous writes mean no
 * unbounded buffering when compression is slower than the API. The header (which needs the
 * final coverage and count) is written first into the final file, then the body is appended,
 * and the result is renamed into place, so a failed save never clobbers an earlier snapshot.
 * Unless told not to, the writer also projects every object and stores the projections
 * (state/compact.ts) between the header and the raw objects, so loading skips the raw parse.
 */
import {
  closeSync,
  createReadStream,
  createWriteStream,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { gzipSync } from "node:zlib";
import { pipeline } from "node:stream/promises";
import type { KubeObject } from "../state/raw.js";
import { stripObject } from "../state/raw.js";
import { ClusterStateBuilder } from "../state/builder.js";
import { CompactEncoder, CompactError, projectionFingerprint } from "../state/compact.js";
import type { SnapshotHeader } from "./header.js";
import { SNAPSHOT_SCHEMA_VERSION } from "./header.js";

const FLUSH_BYTES = 1 << 20;

export class SnapshotWriter {
  private readonly bodyPath: string;
  private readonly fd: number;
  private buffer: string[] = [];
  private buffered = 0;
  private count = 0;
  private closed = false;
  private readonly projections: ClusterStateBuilder | undefined;

  constructor(
    readonly path: string,
    opts: { gzip?: boolean; index?: boolean } = {},
  ) {
    this.gzip = opts.gzip ?? /\.gz$/i.test(path);
    this.bodyPath = `${path}.body-${process.pid}.tmp`;
    this.fd = openSync(this.bodyPath, "w");
    if (opts.index ?? true)
      this.projections = new ClusterStateBuilder({ source: "snapshot", sourceDetail: path, collectedAt: 0 });
  }

  private readonly gzip: boolean;

  get objects(): number {
    return this.count;
  }

  /** Appends one object (stripped of managedFields and last-applied). */
  write = (o: KubeObject): void => {
    const line = JSON.stringify(stripObject(o));
    this.projections?.add(o);
    this.buffer.push(line);
    this.buffered += line.length + 1;
    this.count++;
    if (this.buffered >= FLUSH_BYTES) this.flush();
  };

  private flush(): void {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join("\n") + "\n";
    this.buffer = [];
    this.buffered = 0;
    writeSync(this.fd, this.gzip ? gzipSync(text, { level: 6 }) : Buffer.from(text));
  }

  /** Writes the header and the body into the final file. */
  async finish(header: Omit<SnapshotHeader, "day2Snapshot" | "objects">): Promise<void> {
    this.flush();
    closeSync(this.fd);
    this.closed = true;
    const index = this.encodeProjections();
    const full: SnapshotHeader = {
      day2Snapshot: SNAPSHOT_SCHEMA_VERSION,
      ...header,
      objects: this.count,
      ...(index ? { index: index.header } : {}),
    };
    const headerText = JSON.stringify(full) + "\n";
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      const fd = openSync(tmp, "w");
      writeSync(fd, this.gzip ? gzipSync(headerText) : Buffer.from(headerText));
      for (const chunk of index?.chunks ?? [])
        writeSync(fd, this.gzip ? gzipSync(chunk, { level: 6 }) : chunk);
      closeSync(fd);
      await pipeline(createReadStream(this.bodyPath), createWriteStream(tmp, { flags: "a" }));
      renameSync(tmp, this.path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    } finally {
      rmSync(this.bodyPath, { force: true });
    }
  }

  /**
   * The stored projections as text chunks of about FLUSH_BYTES, or undefined when a value
   * cannot be encoded (the snapshot is then written without them and loads the slow way).
   */
  private encodeProjections():
    { header: NonNullable<SnapshotHeader["index"]>; chunks: Buffer[] } | undefined {
    if (!this.projections) return undefined;
    const encoder = new CompactEncoder();
    const chunks: Buffer[] = [];
    let lines = 0;
    let projections = 0;
    let part: string[] = [];
    let size = 0;
    try {
      for (const [kind, items] of this.projections.projections()) {
        projections += items.length;
        for (const line of encoder.encodeKind(kind, items)) {
          part.push(line);
          size += line.length + 1;
          lines++;
          if (size >= FLUSH_BYTES) {
            chunks.push(Buffer.from(part.join("\n") + "\n"));
            part = [];
            size = 0;
          }
        }
      }
    } catch (err) {
      if (err instanceof CompactError) return undefined;
      throw err;
    }
    if (part.length > 0) chunks.push(Buffer.from(part.join("\n") + "\n"));
    const unknown = Object.fromEntries(this.projections.unknownKinds());
    return {
      header: {
        fingerprint: projectionFingerprint(),
        lines,
        projections,
        ...(Object.keys(unknown).length ? { unknownKinds: unknown } : {}),
      },
      chunks,
    };
  }

  /** Discards everything written (the target path is left untouched). */
  abort(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
    rmSync(this.bodyPath, { force: true });
  }
}
