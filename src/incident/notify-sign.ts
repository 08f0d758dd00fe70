/**
 * Signatures on generic webhooks.
 *
 * When a target has a secret, every request carries
 *
 *   X-Day2-Timestamp: <unix seconds when this attempt was sent>
 *   X-Day2-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *
 * A receiver recomputes the HMAC over the timestamp, a dot and the raw request body (bytes as
 * received, before any JSON parsing), compares in constant time, and rejects timestamps more
 * than 5 minutes from its clock: the timestamp is inside the signed string, so a captured
 * request cannot be replayed later with a fresh timestamp. Each retry is signed afresh with
 * its own timestamp; `X-Day2-Delivery` (the event id) stays the same, so receivers can also
 * drop duplicates. {@link verifySignature} is the reference implementation.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Day2-Signature";
export const TIMESTAMP_HEADER = "X-Day2-Timestamp";
/** Receivers should reject signatures older (or newer) than this. */
export const DEFAULT_SIGNATURE_TOLERANCE_S = 300;

/** "sha256=<hex>" over `${timestampSeconds}.${body}`. */
export function signPayload(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${timestampSeconds}.${body}`, "utf8").digest("hex");
  return `sha256=${mac}`;
}

export interface VerifyInput {
  secret: string;
  /** The raw request body. */
  body: string;
  /** The X-Day2-Timestamp header value. */
  timestamp: string | undefined;
  /** The X-Day2-Signature header value. */
  signature: string | undefined;
  /** The receiver's clock, epoch ms (default Date.now()). */
  nowMs?: number;
  toleranceSeconds?: number;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export function verifySignature(input: VerifyInput): VerifyResult {
  const { secret, body, timestamp, signature } = input;
  if (!timestamp || !/^\d+$/.test(timestamp)) return { ok: false, reason: "missing or malformed timestamp" };
  if (!signature || !/^sha256=[0-9a-f]{64}$/.test(signature)) {
    return { ok: false, reason: "missing or malformed signature" };
  }
  const now = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const tolerance = input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_S;
  if (Math.abs(now - Number(timestamp)) > tolerance)
    return { ok: false, reason: "timestamp outside tolerance" };
  const expected = Buffer.from(signPayload(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: "signature mismatch" };
  }
  return { ok: true };
}
