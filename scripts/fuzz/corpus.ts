/** Seed corpus and saved failures on disk: the public fixtures and tests/fixtures/fuzz-regressions. */
import { createHash } from "node:crypto";

const FIXTURES = new URL("../../tests/fixtures/public/", import.meta.url);
export const REGRESSIONS = new URL("../../tests/fixtures/fuzz-regressions/", import.meta.url);

/** Every public fixture's bytes, in file-name order. */
export function allFixtureBytes(): Uint8Array[] {
  return [...Deno.readDirSync(FIXTURES)]
    .filter((e) => e.isFile && e.name.endsWith(".bin"))
    .map((e) => e.name)
    .sort()
    .map((name) => Deno.readFileSync(new URL(name, FIXTURES)));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Saves a failing input as `<sha256>.bin`; returns the path. */
export function saveRegression(bytes: Uint8Array): string {
  Deno.mkdirSync(REGRESSIONS, { recursive: true });
  const url = new URL(`${sha256Hex(bytes)}.bin`, REGRESSIONS);
  Deno.writeFileSync(url, bytes);
  return url.pathname;
}

/** Saved regression inputs by file name, sorted. */
export function savedRegressions(): { name: string; bytes: Uint8Array }[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(REGRESSIONS)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return entries
    .filter((e) => e.isFile && e.name.endsWith(".bin"))
    .map((e) => e.name)
    .sort()
    .map((name) => ({ name, bytes: Deno.readFileSync(new URL(name, REGRESSIONS)) }));
}
