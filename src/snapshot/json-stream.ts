/**
 * Splits a stream of JSON text into Kubernetes objects without materialising it whole: a
 * `kubectl get -o json` List (or an API XList) yields its items one by one as their text
 * completes; a single object or several concatenated objects yield each object. A 337 MB
 * List would otherwise need one giant string and a 2 GB parse. Each object comes with the
 * 1-based line of its opening brace.
 */
import type { KubeObject } from "../state/raw.js";
import { InputError } from "./errors.js";

const OPEN_OBJ = 123; // {
const CLOSE_OBJ = 125; // }
const OPEN_ARR = 91; // [
const CLOSE_ARR = 93; // ]
const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;

export interface JsonStreamStats {
  objects: number;
}

// A single-pass state machine on the hot path: split up, it would cost a call per character.
// eslint-disable-next-line complexity
export async function readJsonStream(
  chunks: AsyncIterable<string>,
  file: string,
  emit: (o: KubeObject, position: string, line: number) => void,
): Promise<JsonStreamStats> {
  let depth = 0;
  let inString = false;
  let escape = false;
  /** Depth at which list items live (2 inside {"items":[...]}, 1 for a bare array); 0 when not in a list. */
  let itemsDepth = 0;
  let itemText = "";
  let itemStart = -1;
  let topText = "";
  let topStart = -1;
  let topIsList = false;
  let listKind: string | undefined;
  let listApiVersion: string | undefined;
  let lastKeyAtTop = "";
  let stringStart = -1;
  let keyCarry = "";
  let offset = 0;
  let itemNo = 0;
  let objects = 0;
  // Lines counted outside strings only: JSON strings cannot hold a raw newline.
  let line = 1;
  let itemLine = 1;
  let topLine = 1;

  const parse = (text: string, position: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new InputError(file, position, `not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  };
  const deliver = (value: unknown, position: string, at: number): void => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InputError(
        file,
        position,
        "expected a Kubernetes object, found " + (Array.isArray(value) ? "an array" : typeof value),
      );
    }
    const o = value as KubeObject;
    if (o.kind === undefined && listKind?.endsWith("List") && listKind !== "List") {
      o.kind = listKind.slice(0, -4);
      if (o.apiVersion === undefined && listApiVersion) o.apiVersion = listApiVersion;
    }
    objects++;
    emit(o, position, at);
  };

  for await (const chunk of chunks) {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escape) escape = false;
        else if (c === BACKSLASH) escape = true;
        else if (c === QUOTE) {
          inString = false;
          // Remember the last key seen directly inside the top-level object.
          if (depth === 1 && stringStart >= 0) lastKeyAtTop = keyCarry + chunk.slice(stringStart, i);
        }
        continue;
      }
      if (c === NEWLINE) {
        line++;
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        stringStart = depth === 1 ? i + 1 : -1;
        keyCarry = "";
        continue;
      }
      if (c === OPEN_OBJ || c === OPEN_ARR) {
        if (depth === 0) {
          if (c === OPEN_ARR) {
            itemsDepth = 1;
            topIsList = true;
          } else {
            topStart = i;
            topLine = line;
            topText = "";
            topIsList = false;
            lastKeyAtTop = "";
          }
        } else if (depth === 1 && c === OPEN_ARR && lastKeyAtTop === "items" && itemsDepth === 0) {
          // Entering a List's items: read the list's own kind from what came before, then
          // stop buffering the top-level text.
          const prefix = topText + chunk.slice(Math.max(topStart, 0), i);
          listKind = /"kind"\s*:\s*"([^"]*)"/.exec(prefix)?.[1];
          listApiVersion = /"apiVersion"\s*:\s*"([^"]*)"/.exec(prefix)?.[1];
          topIsList = true;
          topStart = -1;
          topText = "";
          itemsDepth = 2;
        } else if (itemsDepth > 0 && depth === itemsDepth && c === OPEN_OBJ) {
          itemStart = i;
          itemLine = line;
          itemText = "";
        }
        depth++;
        continue;
      }
      if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        depth--;
        if (depth < 0)
          throw new InputError(file, `byte ${offset + i}`, "unbalanced JSON: unexpected closing bracket");
        if (itemsDepth > 0 && depth === itemsDepth && c === CLOSE_OBJ && itemStart >= 0) {
          itemNo++;
          const text = itemText + chunk.slice(itemStart, i + 1);
          itemStart = -1;
          itemText = "";
          deliver(parse(text, `item ${itemNo}`), `item ${itemNo}`, itemLine);
        } else if (itemsDepth > 0 && depth === itemsDepth - 1 && c === CLOSE_ARR) {
          itemsDepth = 0;
          if (depth === 0) topIsList = false;
        } else if (depth === 0 && c === CLOSE_OBJ) {
          if (!topIsList) {
            const text = topText + chunk.slice(Math.max(topStart, 0), i + 1);
            itemNo++;
            deliver(parse(text, `object ${itemNo}`), `object ${itemNo}`, topLine);
          }
          topStart = -1;
          topText = "";
          topIsList = false;
        }
        continue;
      }
      if (depth === 0 && c > 32 && c !== 44) {
        throw new InputError(
          file,
          `byte ${offset + i}`,
          `not JSON: unexpected character ${JSON.stringify(chunk[i])}`,
        );
      }
    }
    // Carry partial text of the object (or top-level key) being read into the next chunk.
    if (inString && stringStart >= 0) {
      keyCarry += chunk.slice(stringStart);
      stringStart = 0;
    }
    if (itemStart >= 0) {
      itemText += chunk.slice(itemStart);
      itemStart = 0;
    }
    if (topStart >= 0) {
      topText += chunk.slice(topStart);
      topStart = 0;
    }
    offset += n;
  }
  if (depth !== 0 || inString) {
    throw new InputError(file, "end of input", "truncated JSON: the input ended inside an object");
  }
  return { objects };
}
