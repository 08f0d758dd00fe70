/**
 * Writes day2's snapshot format. Objects stream in through a synchronous sink (the same sink
 * shape the live collector feeds), are buffered up to 1 MiB and written as gzip members:
 * concatenated gzip members are one valid gzip stream, and synchronous writes mean no
 * unbounded buffering when compression is slower than the API. The header (which needs the
 * final coverage and count) is written first into the final file, then the body is appended,
 * and the result is renamed into place, so a failed save never clobbers an earlier snapshot.
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

  constructor(
    readonly path: string,
    private readonly gzip = /\.gz$/i.test(path),
  ) {
    this.bodyPath = `${path}.body-${process.pid}.tmp`;
    this.fd = openSync(this.bodyPath, "w");
  }

  get objects(): number {
    return this.count;
  }

  /** Appends one object (stripped of managedFields and last-applied). */
  write = (o: KubeObject): void => {
    const line = JSON.stringify(stripObject(o));
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
    const full: SnapshotHeader = { day2Snapshot: SNAPSHOT_SCHEMA_VERSION, ...header, objects: this.count };
    const headerText = JSON.stringify(full) + "\n";
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      const fd = openSync(tmp, "w");
      writeSync(fd, this.gzip ? gzipSync(headerText) : Buffer.from(headerText));
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

  /** Discards everything written (the target path is left untouched). */
  abort(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
    rmSync(this.bodyPath, { force: true });
  }
}
