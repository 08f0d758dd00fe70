/** A snapshot or manifest input that cannot be read; the message names the file and position. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly position: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${position ? ` (${position})` : ""}: ${detail}`, options);
    this.name = "InputError";
  }
}
