/**
 * Reads every input format day2 accepts into a stream of objects: day2's own snapshot
 * (gzipped NDJSON with a header line), `kubectl get -o json` Lists (one or several files),
 * single JSON objects, and YAML manifests (multi-document, a file or a directory). Gzip is
 * detected by its magic bytes, not the file name. Garbage gets an InputError naming the
 * file and the position. Objects from manifest files (YAML or JSON, not a day2 snapshot, not
 * stdin) are passed on with their file and starting line, for SARIF's physical locations.
 */
import { createReadStream, promises as fs } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { join } from "node:path";
import { LineCounter, isMap, isNode, isSeq, parseAllDocuments } from "yaml";
import type { KubeObject, LocatedSink, SourceLocation } from "../state/raw.js";
import { InputError } from "./errors.js";
import { headerSchema, READABLE_SCHEMA_VERSIONS } from "./header.js";
import type { SnapshotHeader } from "./header.js";
import { readJsonStream } from "./json-stream.js";

export type InputFormat = "day2" | "json" | "yaml";

export interface InputSummary {
  files: { file: string; format: InputFormat; objects: number }[];
  /** The header of a day2 snapshot, when the (single) input was one. */
  header?: SnapshotHeader;
  /** True when the objects came from the snapshot's stored projections, not its raw objects. */
  fromIndex?: boolean;
}

/**
 * Takes a day2 snapshot's stored projections instead of its raw objects: `accept` sees the
 * header's index description and says whether it can use it; `line` gets each parsed line.
 */
export interface IndexReader {
  accept(index: NonNullable<SnapshotHeader["index"]>): boolean;
  line(value: unknown, position: string): void;
}

const MANIFEST_EXT = /\.(json|ya?ml|ndjson)(\.gz)?$/i;

/** Expands directories into the manifest files they hold (sorted, recursive). */
export async function expandInputs(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (p === "-") {
      out.push(p);
      continue;
    }
    let st;
    try {
      st = await fs.stat(p);
    } catch (err) {
      throw new InputError(
        p,
        undefined,
        `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        { cause: err },
      );
    }
    if (st.isDirectory()) {
      const entries = (await fs.readdir(p, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && MANIFEST_EXT.test(e.name))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      if (entries.length === 0)
        throw new InputError(p, undefined, "directory holds no .json, .yaml or .yml files");
      out.push(...entries);
    } else out.push(p);
  }
  return out;
}

async function peekBytes(file: string, n: number): Promise<Buffer> {
  const fh = await fs.open(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Decoded text chunks of a file, gunzipped when it starts with the gzip magic. */
async function openText(file: string): Promise<{ stream: Readable; gzip: boolean }> {
  if (file === "-") {
    process.stdin.setEncoding("utf8");
    return { stream: process.stdin, gzip: false };
  }
  const head = await peekBytes(file, 2);
  const gzip = head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = gzip ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gzip) raw.on("error", (e) => stream.destroy(e));
  stream.setEncoding("utf8");
  return { stream, gzip };
}

/** Wraps stream errors (truncated gzip, I/O) as InputErrors naming the file. */
async function* chunksOf(stream: Readable, file: string, gzip: boolean): AsyncGenerator<string> {
  try {
    for await (const chunk of stream) yield chunk as string;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (
      gzip &&
      (e.code === "Z_BUF_ERROR" || e.code === "Z_DATA_ERROR" || /unexpected end of file/i.test(e.message))
    ) {
      throw new InputError(file, undefined, `truncated or corrupt gzip data (${e.message})`, { cause: err });
    }
    throw new InputError(file, undefined, `read failed: ${e.message}`, { cause: err });
  }
}

/** Pulls chunks until the first non-blank character, returning it and the chunks seen. */
async function sniff(
  it: AsyncIterator<string>,
): Promise<{ first: string; firstLine: string; buffered: string[]; done: boolean }> {
  const buffered: string[] = [];
  let text = "";
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    buffered.push(r.value);
    text += r.value;
    const trimmed = text.trimStart();
    if (trimmed.length > 0 && (trimmed[0] !== "{" || text.includes("\n") || text.length > 4096)) break;
  }
  const trimmed = text.trimStart();
  const nl = trimmed.indexOf("\n");
  return {
    first: trimmed[0] ?? "",
    firstLine: nl < 0 ? trimmed : trimmed.slice(0, nl),
    buffered,
    done: trimmed.length === 0,
  };
}

async function* replay(buffered: string[], it: AsyncIterator<string>): AsyncGenerator<string> {
  yield* buffered;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}

/** Checks the envelope every object needs; the rest is read leniently by projections. */
export function validateObject(o: KubeObject, file: string, position: string): void {
  if (typeof o.kind !== "string" || o.kind === "") throw new InputError(file, position, "object has no kind");
  if (typeof o.metadata !== "object" || o.metadata === null || Array.isArray(o.metadata)) {
    throw new InputError(file, position, `${o.kind} has no metadata`);
  }
}

/** Where in its input an object (or List) was read: for errors and for source locations. */
interface Origin {
  readonly file: string;
  readonly position: string;
  /** The 1-based line the object starts on; undefined for stdin and day2 snapshots. */
  readonly line?: number;
  /** Its YAML node, so a List's items get their own lines (JSON items arrive one by one). */
  readonly node?: unknown;
}

/** The line a YAML node starts on (a block mapping's first key), if it is one. */
type LineOf = (node: unknown) => number | undefined;

const NO_NODES: LineOf = () => undefined;

function itemOrigin(list: Origin, i: number, lineOf: LineOf): Origin {
  const items = isMap(list.node) ? list.node.get("items", true) : undefined;
  const node: unknown = isSeq(items) ? items.items[i] : undefined;
  return {
    file: list.file,
    position: `${list.position}, item ${i + 1}`,
    // Items of a List nested in a JSON List item get the line of the item holding them.
    line: list.line === undefined ? undefined : (lineOf(node) ?? list.line),
    node,
  };
}

function expandList(o: KubeObject, origin: Origin, sink: LocatedSink, lineOf: LineOf): number {
  if (typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items)) {
    const itemKind = o.kind === "List" ? undefined : o.kind.slice(0, -4);
    let n = 0;
    for (const [i, item] of (o.items as KubeObject[]).entries()) {
      if (itemKind && item && typeof item === "object" && item.kind === undefined) item.kind = itemKind;
      n += expandList(item, itemOrigin(origin, i, lineOf), sink, lineOf);
    }
    return n;
  }
  validateObject(o, origin.file, origin.position);
  const at: SourceLocation | undefined =
    origin.line === undefined ? undefined : { file: origin.file, line: origin.line };
  sink(o, at);
  return 1;
}

async function readDay2(
  chunks: AsyncIterable<string>,
  file: string,
  sink: LocatedSink,
  indexReader?: IndexReader,
): Promise<{ header: SnapshotHeader; objects: number; fromIndex: boolean }> {
  let header: SnapshotHeader | undefined;
  let line = 0;
  let rest = "";
  let objects = 0;
  // Lines of stored projections still ahead, and whether they are read or skipped.
  let indexLines = 0;
  let useIndex = false;
  let finished = false;
  const handle = (text: string): void => {
    line++;
    if (indexLines > 0) {
      indexLines--;
      if (useIndex) {
        let value: unknown;
        try {
          value = JSON.parse(text);
          indexReader!.line(value, `line ${line}`);
        } catch (err) {
          throw new InputError(file, `line ${line}`, `bad stored projection: ${(err as Error).message}`, {
            cause: err,
          });
        }
        if (indexLines === 0) finished = true;
      }
      return;
    }
    if (text.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new InputError(file, `line ${line}`, `not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (!header) {
      const parsed = headerSchema.safeParse(value);
      const version = (value as { day2Snapshot?: unknown })?.day2Snapshot;
      if (typeof version === "number" && !READABLE_SCHEMA_VERSIONS.includes(version)) {
        throw new InputError(
          file,
          "line 1",
          `unsupported snapshot schema version ${version} (this day2 reads versions ${READABLE_SCHEMA_VERSIONS.join(", ")})`,
        );
      }
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(
          file,
          "line 1",
          `bad snapshot header: ${issue?.path.join(".") || "header"}: ${issue?.message ?? "invalid"}`,
        );
      }
      header = parsed.data;
      if (header.index) {
        indexLines = header.index.lines;
        useIndex = indexReader?.accept(header.index) ?? false;
        if (useIndex && indexLines === 0) finished = true;
      }
      return;
    }
    const o = value as KubeObject;
    if (typeof o !== "object" || o === null || Array.isArray(o))
      throw new InputError(file, `line ${line}`, "expected an object");
    validateObject(o, file, `line ${line}`);
    objects++;
    sink(o);
  };
  for await (const chunk of chunks) {
    let start = 0;
    let nl = chunk.indexOf("\n");
    if (nl >= 0 && rest) {
      handle(rest + chunk.slice(0, nl));
      rest = "";
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    while (nl >= 0 && !finished) {
      handle(chunk.slice(start, nl));
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    // Everything the stored projections describe has been read: the raw objects are not needed.
    if (finished) return { header: header!, objects: header!.objects ?? 0, fromIndex: true };
    rest += chunk.slice(start);
  }
  if (rest) handle(rest);
  if (finished) return { header: header!, objects: header!.objects ?? 0, fromIndex: true };
  if (!header) throw new InputError(file, undefined, "empty snapshot: no header line");
  if (indexLines > 0)
    throw new InputError(file, `line ${line}`, "truncated snapshot: stored projections end early");
  if (header.objects !== undefined && header.objects !== objects) {
    throw new InputError(
      file,
      `line ${line}`,
      `truncated snapshot: header promises ${header.objects} objects, found ${objects}`,
    );
  }
  return { header, objects, fromIndex: false };
}

async function readYaml(chunks: AsyncIterable<string>, file: string, sink: LocatedSink): Promise<number> {
  let text = "";
  for await (const c of chunks) text += c;
  let objects = 0;
  const lines = new LineCounter();
  const lineOf: LineOf = (node) =>
    isNode(node) && node.range ? lines.linePos(node.range[0]).line : undefined;
  const docs = parseAllDocuments(text, { lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const [i, doc] of list.entries()) {
    const position = `document ${i + 1}`;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const lc = e.linePos?.[0];
      throw new InputError(
        file,
        lc ? `${position}, line ${lc.line}` : position,
        `not valid YAML: ${e.message.split("\n")[0]}`,
      );
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue; // empty document between ---
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new InputError(
        file,
        position,
        "not a Kubernetes object (expected a mapping with kind and metadata)",
      );
    }
    // stdin has no file to point at: its objects get no location.
    const line = file === "-" ? undefined : lineOf(doc.contents);
    objects += expandList(value as KubeObject, { file, position, line, node: doc.contents }, sink, lineOf);
  }
  return objects;
}

/**
 * Reads one or more inputs into the sink; objects from manifest files come with their file
 * and line (a plain ObjectSink ignores them).
 */
export async function readInputs(
  paths: string[],
  sink: LocatedSink,
  indexReader?: IndexReader,
): Promise<InputSummary> {
  const files = await expandInputs(paths);
  const summary: InputSummary = { files: [] };
  for (const file of files) {
    const { stream, gzip } = await openText(file);
    const it = chunksOf(stream, file, gzip)[Symbol.asyncIterator]();
    const { first, firstLine, buffered, done } = await sniff(it);
    const chunks = replay(buffered, it);
    if (done) throw new InputError(file, undefined, "empty input");
    if (first === "{" && firstLine.includes('"day2Snapshot"')) {
      if (files.length > 1) throw new InputError(file, undefined, "a day2 snapshot must be the only input");
      const { header, objects, fromIndex } = await readDay2(chunks, file, sink, indexReader);
      summary.header = header;
      if (fromIndex) summary.fromIndex = true;
      summary.files.push({ file, format: "day2", objects });
    } else if (first === "{" || first === "[") {
      let objects = 0;
      await readJsonStream(chunks, file, (o, position, line) => {
        const origin = { file, position, line: file === "-" ? undefined : line };
        objects += expandList(o, origin, sink, NO_NODES);
      });
      summary.files.push({ file, format: "json", objects });
    } else {
      const objects = await readYaml(chunks, file, sink);
      if (objects === 0) throw new InputError(file, undefined, "no Kubernetes objects found");
      summary.files.push({ file, format: "yaml", objects });
    }
    stream.destroy();
  }
  return summary;
}
