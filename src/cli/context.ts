/** What every command action receives: resolved options, a logger, and stdout. */
import type { GlobalOptions } from "./options.js";
import type { Logger } from "./progress.js";

export interface CommandContext {
  opts: GlobalOptions;
  log: Logger;
  stdout: NodeJS.WriteStream;
  args: Record<string, unknown>;
}
