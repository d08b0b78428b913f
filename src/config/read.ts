/**
 * Reading the config file: only a regular file is read (a FIFO would block start-up forever),
 * every OS refusal becomes a `ConfigError` naming the file, and the bytes must be UTF-8.
 */
import { ConfigError } from "./errors.ts";

/** A config file is a few KB; anything this large is the wrong file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const REGULAR_FILE = "a regular INI config file (choose one with -c FILE)";

export function readConfigBytes(path: string): Uint8Array {
  const at = { file: path };
  let info: Deno.FileInfo;
  try {
    // stat follows symlinks, so a symlinked config in /etc works.
    info = Deno.statSync(path);
  } catch (error) {
    throw osError(error, path);
  }
  if (info.isDirectory) throw new ConfigError(at, "is a directory", REGULAR_FILE);
  if (!info.isFile) {
    const kind = info.isFifo
      ? "a FIFO"
      : info.isSocket
      ? "a socket"
      : info.isCharDevice || info.isBlockDevice
      ? "a device"
      : "not a regular file";
    throw new ConfigError(at, `is ${kind}, not a regular file`, REGULAR_FILE);
  }
  if (info.size > MAX_CONFIG_BYTES) {
    throw new ConfigError(at, `is ${info.size} bytes`, `a config file of at most 1 MiB`);
  }
  try {
    return Deno.readFileSync(path);
  } catch (error) {
    throw osError(error, path);
  }
}

function osError(error: unknown, path: string): ConfigError {
  const at = { file: path };
  if (error instanceof Deno.errors.NotFound) {
    return new ConfigError(at, "no such file", REGULAR_FILE);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new ConfigError(at, "permission denied", "a file readable by this user");
  }
  if (error instanceof Deno.errors.NotCapable) {
    return new ConfigError(
      at,
      "reading is not allowed by Deno's permissions",
      "--allow-read covering the config file",
    );
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new ConfigError(at, "is a directory", REGULAR_FILE);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ConfigError(at, `cannot read: ${detail}`, REGULAR_FILE);
}

/** UTF-8 (a BOM is left for the INI parser); the error names the first bad line. */
export function decodeConfigText(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // 0x0A is never part of a multi-byte sequence, so lines can be checked one by one.
    let start = 0;
    for (let line = 1;; line++) {
      const end = bytes.indexOf(0x0a, start);
      const slice = bytes.subarray(start, end < 0 ? bytes.length : end);
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(slice);
      } catch {
        throw new ConfigError(
          { file: path, line },
          "invalid UTF-8 byte sequence",
          "UTF-8 text (and printable ASCII outside comments)",
        );
      }
      if (end < 0) break;
      start = end + 1;
    }
    throw new ConfigError({ file: path }, "invalid UTF-8", "UTF-8 text");
  }
}
