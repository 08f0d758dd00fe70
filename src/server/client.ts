/**
 * A small HTTP client for the day2 API (used by `day2 incident ...`): bearer token, JSON in and
 * out, and errors that keep the server's code and message.
 */
import type { Incident, TimelineEntry } from "../incident/types.js";
import type { ReviewInput } from "./ports.js";

/** The server could not be reached (refused, DNS, timeout). */
export class ApiConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ApiConnectionError";
  }
}

/** The server answered with an error status; `code` is its D2_HTTP_* code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface IncidentList {
  items: Incident[];
  total: number;
  limit: number;
  offset: number;
}

export interface ListQuery {
  status?: string;
  priority?: string;
  service?: string;
  limit?: number;
  offset?: number;
}

export class Day2Client {
  private readonly base: string;

  constructor(
    server: string,
    private readonly token: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.base = server.replace(/\/+$/, "");
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      throw new ApiConnectionError(`cannot reach ${this.base}: ${cause?.code ?? (err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (e.g. a Markdown review): the text itself.
      parsed = res.ok ? text : undefined;
    }
    if (!res.ok) {
      const e = (parsed ?? {}) as { code?: string; message?: string };
      throw new ApiError(res.status, e.code, e.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return parsed as T;
  }

  listIncidents(q: ListQuery): Promise<IncidentList> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.request("GET", `/api/v1/incidents${qs ? `?${qs}` : ""}`);
  }

  getIncident(id: string): Promise<{ incident: Incident; timeline: TimelineEntry[] }> {
    return this.request("GET", `/api/v1/incidents/${encodeURIComponent(id)}`);
  }

  step(id: string, step: "ack" | "mitigate" | "resolve", note?: string): Promise<Incident> {
    return this.request("POST", `/api/v1/incidents/${encodeURIComponent(id)}/${step}`, note ? { note } : {});
  }

  note(id: string, text: string): Promise<TimelineEntry> {
    return this.request("POST", `/api/v1/incidents/${encodeURIComponent(id)}/note`, { text });
  }

  review(
    id: string,
    review: Omit<ReviewInput, "actionItems"> & { actionItems?: unknown[] },
  ): Promise<Incident> {
    return this.request("POST", `/api/v1/incidents/${encodeURIComponent(id)}/review`, review);
  }
}
