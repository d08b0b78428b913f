/**
 * Strict INI line parser, compatible with the files Python's configparser read for the original
 * proxyDHCPd, but loud where configparser or npm:ini would guess (toolchain.md "INI").
 *
 * - `[section]` headers (names case-sensitive, as in configparser); `key=value` or `key: value`,
 *   split at the first `=` or `:`; whitespace around keys and values trimmed; keys lowercased
 *   (configparser's `optionxform`).
 * - Full-line comments start with `#` or `;` after optional whitespace. There are no inline
 *   comments: configparser keeps `#` and `;` inside values, so `http://h/boot.ipxe#x` stays whole.
 * - CRLF line ends and a leading UTF-8 BOM are accepted; blank lines are ignored.
 * - Errors instead of guesses: a key before any section, a line that is neither header, comment
 *   nor key/value, duplicate sections or keys, indented (continuation) lines, empty keys,
 *   non-ASCII or control characters outside comments, unbalanced quotes.
 */
import { ConfigError } from "./errors.ts";

export interface IniEntry {
  /** Lowercased key. */
  readonly key: string;
  /** Trimmed value with one pair of surrounding quotes removed; may be empty. */
  readonly value: string;
  readonly line: number;
}

export interface IniSection {
  readonly name: string;
  /** Line of the `[name]` header. */
  readonly line: number;
  /** Entries in file order. */
  readonly entries: readonly IniEntry[];
}

const HEADER = /^\[([^\]]*)\]$/;
const SECTION_NAME = /^[A-Za-z0-9_.-]+$/;
const EDGE_BLANKS = /^[ \t]+|[ \t]+$/g;

/** Parses INI text into sections in file order. `file` names the source in errors. */
export function parseIni(text: string, file: string): IniSection[] {
  const sections: { name: string; line: number; entries: IniEntry[] }[] = [];
  let current: (typeof sections)[number] | undefined;
  let previousKey: string | undefined;
  const lines = text.replace(/^\uFEFF/, "").split("\n");

  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const raw = lines[index].endsWith("\r") ? lines[index].slice(0, -1) : lines[index];
    const line = raw.replace(EDGE_BLANKS, "");
    const section = current?.name;
    const at = { file, line: lineNumber, section };
    if (line === "") continue;
    if (line.startsWith("#") || line.startsWith(";")) continue;

    if (raw !== "" && (raw[0] === " " || raw[0] === "\t")) {
      throw new ConfigError(
        previousKey === undefined ? at : { ...at, key: previousKey },
        previousKey === undefined
          ? "line starts with whitespace (indented lines are not supported)"
          : "indented line looks like a continuation of the previous value, but multi-line " +
            "values are not supported",
        "key=value starting at the beginning of the line",
      );
    }

    if (line.startsWith("[")) {
      checkCharacters(line, at, "section header");
      const match = HEADER.exec(line);
      const name = match?.[1].replace(EDGE_BLANKS, "");
      if (name === undefined || !SECTION_NAME.test(name)) {
        throw new ConfigError(
          at,
          `malformed section header ${JSON.stringify(line)}`,
          "[name] alone on its line, name made of letters, digits, _ . -",
        );
      }
      const first = sections.find((s) => s.name === name);
      if (first !== undefined) {
        throw new ConfigError(
          { file, line: lineNumber, section: name },
          `duplicate section (first at line ${first.line})`,
          "each section once",
        );
      }
      current = { name, line: lineNumber, entries: [] };
      sections.push(current);
      previousKey = undefined;
      continue;
    }

    const split = line.search(/[=:]/);
    if (split < 0) {
      checkCharacters(line, at, "line");
      throw new ConfigError(
        at,
        `line ${JSON.stringify(line)} is neither a [section] header, a comment nor key=value`,
        "key=value, key: value, [section], or a comment starting with # or ;",
      );
    }
    const key = line.slice(0, split).replace(EDGE_BLANKS, "").toLowerCase();
    const rawValue = line.slice(split + 1).replace(EDGE_BLANKS, "");
    if (key === "") {
      checkCharacters(line, at, "line");
      throw new ConfigError(at, `empty key before "${line[split]}"`, "key=value with a key name");
    }
    checkCharacters(key, at, "key");
    if (current === undefined) {
      throw new ConfigError(
        { file, line: lineNumber, key },
        "key before any section header",
        "a [section] header (e.g. [proxy]) before the first key",
      );
    }
    const keyAt = { ...at, key };
    checkCharacters(rawValue, keyAt, "value");
    const first = current.entries.find((e) => e.key === key);
    if (first !== undefined) {
      throw new ConfigError(
        keyAt,
        `duplicate key (first at line ${first.line})`,
        "each key once per section",
      );
    }
    current.entries.push({ key, value: unquote(rawValue, keyAt), line: lineNumber });
    previousKey = key;
  }
  return sections;
}

/**
 * Removes one pair of surrounding double or single quotes. configparser would keep them, but the
 * original proxyDHCPd's README writes `vendor_specific_information="proxyDHCPd"`, and quotes sent
 * on the wire are never what an admin meant (protocol.md §5: the original sent them in option 43).
 */
function unquote(value: string, at: ConfigAt): string {
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return value;
  if (value.length < 2 || value[value.length - 1] !== quote) {
    throw new ConfigError(
      at,
      `value starts with ${quote} but does not end with it (unbalanced quote)`,
      `a value either fully enclosed in ${quote}...${quote} or not quoted at all`,
    );
  }
  return value.slice(1, -1);
}

interface ConfigAt {
  readonly file: string;
  readonly line: number;
  readonly section?: string;
  readonly key?: string;
}

/** Outside comments the file must be printable ASCII (tabs allowed as blanks). */
function checkCharacters(text: string, at: ConfigAt, what: string): void {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code > 0x7e) {
      const hex = code.toString(16).toUpperCase().padStart(4, "0");
      const shown = code === 0x7f ? "" : ` ${JSON.stringify(char)}`;
      throw new ConfigError(
        at,
        code === 0x7f
          ? `control character 0x7F in ${what}`
          : `non-ASCII character U+${hex}${shown} in ${what}`,
        "printable ASCII outside comments",
      );
    }
    if (code < 0x20 && code !== 0x09) {
      const hex = code.toString(16).toUpperCase().padStart(2, "0");
      throw new ConfigError(
        at,
        `control character 0x${hex} in ${what}`,
        "printable ASCII outside comments",
      );
    }
  }
}
