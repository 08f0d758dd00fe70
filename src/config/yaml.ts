/** Reading day2's own input files, with the one-line error shape they all use: file, line, column. */
import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { InputError } from "../snapshot/errors.js";

export function parseYamlText(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      throw new InputError(
        file,
        pos ? `line ${pos.line}, column ${pos.col}` : undefined,
        `not valid YAML: ${err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
        { cause: err },
      );
    }
    throw new InputError(file, undefined, `not valid YAML: ${(err as Error).message.split("\n")[0]}`, {
      cause: err,
    });
  }
}

/** A file's text; a missing or unreadable file is an InputError naming it (shown as `shownAs`). */
export function readTextFile(path: string, shownAs = path): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError(
      shownAs,
      undefined,
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
