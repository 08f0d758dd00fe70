/**
 * Every error the CLI can end with, in one table: a stable code, the exit code, and the
 * HTTP status the server will use for the same condition. Only src/cli maps errors to exit
 * codes; library code throws typed errors with { cause }.
 */
import { InputError } from "../snapshot/errors.js";
import { PromError } from "../prom/errors.js";
import { KubeConfigError, KubeConnectionError, KubeUnauthorizedError, KubeApiError } from "../kube/index.js";
import { ApiConnectionError, ApiError } from "../server/client.js";

export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  input: 3,
  incomplete: 4,
  internal: 70,
} as const;

export const ERROR_CODES = {
  D2_ERR_USAGE: { exit: EXIT.usage, http: 400, summary: "a flag, argument or option value is not valid" },
  D2_ERR_INPUT: {
    exit: EXIT.input,
    http: 400,
    summary: "a snapshot, manifest or config file cannot be read",
  },
  D2_ERR_KUBECONFIG: {
    exit: EXIT.input,
    http: 400,
    summary: "the kubeconfig is missing, malformed or names an unknown context",
  },
  D2_ERR_KUBE_CONNECTION: { exit: EXIT.input, http: 502, summary: "the API server cannot be reached" },
  D2_ERR_KUBE_UNAUTHORIZED: {
    exit: EXIT.input,
    http: 401,
    summary: "the API server rejected the credentials",
  },
  D2_ERR_KUBE_API: {
    exit: EXIT.input,
    http: 502,
    summary: "the API server answered with an error that retries did not clear",
  },
  D2_ERR_PROMETHEUS: {
    exit: EXIT.input,
    http: 502,
    summary: "Prometheus (--prometheus) could not be reached or answered no query",
  },
  D2_ERR_SERVER_CONNECTION: {
    exit: EXIT.input,
    http: 502,
    summary: "the day2 server (--server, DAY2_SERVER) cannot be reached",
  },
  D2_ERR_SERVER_UNAUTHORIZED: {
    exit: EXIT.input,
    http: 401,
    summary: "the day2 server rejected the token (--token, DAY2_TOKEN) or its role",
  },
  D2_ERR_SERVER: {
    exit: EXIT.input,
    http: 502,
    summary: "the day2 server refused the request (no such incident, a step the status does not allow)",
  },
  D2_ERR_INCOMPLETE: {
    exit: EXIT.incomplete,
    http: 200,
    summary: "some kinds could not be read and --strict was given",
  },
  D2_ERR_INTERNAL: {
    exit: EXIT.internal,
    http: 500,
    summary: "a bug in day2: please report it with the command line",
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CliError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CliError";
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

export function usageError(message: string): CliError {
  return new CliError("D2_ERR_USAGE", message);
}

/** Maps any thrown value to a coded CLI error with one clear line. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof InputError) return new CliError("D2_ERR_INPUT", err.message, { cause: err });
  if (err instanceof KubeConfigError) return new CliError("D2_ERR_KUBECONFIG", err.message, { cause: err });
  if (err instanceof KubeUnauthorizedError)
    return new CliError("D2_ERR_KUBE_UNAUTHORIZED", err.message, { cause: err });
  if (err instanceof KubeConnectionError)
    return new CliError("D2_ERR_KUBE_CONNECTION", err.message, { cause: err });
  if (err instanceof KubeApiError) return new CliError("D2_ERR_KUBE_API", err.message, { cause: err });
  if (err instanceof ApiConnectionError)
    return new CliError("D2_ERR_SERVER_CONNECTION", err.message, { cause: err });
  if (err instanceof ApiError) {
    const code = err.status === 401 || err.status === 403 ? "D2_ERR_SERVER_UNAUTHORIZED" : "D2_ERR_SERVER";
    return new CliError(code, `${err.message} (HTTP ${err.status}${err.code ? ` ${err.code}` : ""})`, {
      cause: err,
    });
  }
  if (err instanceof PromError)
    return new CliError("D2_ERR_PROMETHEUS", `Prometheus: ${err.message}`, { cause: err });
  const e = err as NodeJS.ErrnoException;
  if (e?.code === "ENOENT" || e?.code === "EACCES" || e?.code === "EISDIR" || e?.code === "ENOSPC") {
    return new CliError("D2_ERR_INPUT", e.message, { cause: err });
  }
  return new CliError("D2_ERR_INTERNAL", (err as Error)?.stack ?? String(err), { cause: err });
}
