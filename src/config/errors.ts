/**
 * The one error the config layer throws. The message names the place and says what was expected,
 * so the CLI can print it as is and exit 2:
 *   `<file>:<line>: [<section>] <key>: <problem>; expected <what is expected>`
 * Parts that do not apply are left out, e.g. `<file>: missing section [proxy]; expected ...`.
 */

export interface ConfigPlace {
  readonly file: string;
  readonly line?: number;
  readonly section?: string;
  readonly key?: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  readonly file: string;
  readonly line?: number;
  readonly section?: string;
  readonly key?: string;
  /** What is wrong, without the place. */
  readonly problem: string;
  /** What would have been accepted. */
  readonly expected: string;

  constructor(place: ConfigPlace, problem: string, expected: string) {
    super(`${placePrefix(place)}${problem}; expected ${expected}`);
    this.file = place.file;
    if (place.line !== undefined) this.line = place.line;
    if (place.section !== undefined) this.section = place.section;
    if (place.key !== undefined) this.key = place.key;
    this.problem = problem;
    this.expected = expected;
  }
}

/** `<file>:<line>: [<section>] <key>: `, with absent parts left out. Also used for notices. */
export function placePrefix(place: ConfigPlace): string {
  let text = place.line === undefined ? `${place.file}: ` : `${place.file}:${place.line}: `;
  if (place.section !== undefined) text += `[${place.section}] `;
  if (place.key !== undefined) text += `${place.key}: `;
  return text;
}
