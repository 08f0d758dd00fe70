/**
 * Errors of the live source. Each carries a stable `code` so the CLI can map it to an exit
 * code and the server to an HTTP status without matching on message text. Messages are one
 * line and name the file, field, context or server URL involved.
 */

/** Base class: every error thrown by `src/kube/` that is not an abort. */
export class KubeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The kubeconfig (or in-cluster setup) cannot be used: missing file, not YAML, unknown
 * context, a cluster without a server, a user without credentials, a failing exec plugin.
 */
export class KubeConfigError extends KubeError {
  /** The file the problem is in, when there is one. */
  readonly file: string | undefined;
  constructor(message: string, options?: { cause?: unknown; file?: string }) {
    super("D2_ERR_KUBECONFIG", message, options);
    this.file = options?.file;
  }
}

/** The API server cannot be reached (refused, DNS, TLS, timeout), naming its URL. */
export class KubeConnectionError extends KubeError {
  readonly server: string;
  constructor(server: string, message: string, options?: { cause?: unknown }) {
    super("D2_ERR_KUBE_CONNECTION", message, options);
    this.server = server;
  }
}

/** 401 from the API server, even after refreshing credentials once. The CLI exits 3. */
export class KubeUnauthorizedError extends KubeError {
  readonly server: string;
  constructor(server: string, message: string, options?: { cause?: unknown }) {
    super("D2_ERR_KUBE_UNAUTHORIZED", message, options);
    this.server = server;
  }
}

/**
 * Any other failed API request: a 4xx we do not turn into a result (400, 406, 422, ...), or
 * 429/5xx still failing after every retry.
 */
export class KubeApiError extends KubeError {
  readonly status: number;
  readonly path: string;
  /** The `reason` of the Kubernetes Status object, e.g. "InternalError", when present. */
  readonly reason: string | undefined;
  constructor(status: number, path: string, message: string, options?: { cause?: unknown; reason?: string }) {
    super("D2_ERR_KUBE_API", message, options);
    this.status = status;
    this.path = path;
    this.reason = options?.reason;
  }
}

/** True for the error an aborted AbortSignal produces, so callers can rethrow it untouched. */
export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === "AbortError" || (err as { code?: unknown }).code === "ABORT_ERR")
  );
}
