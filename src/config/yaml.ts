/** YAML text to data, with the one-line error shape every day2 input uses: file, line, column. */
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
