/**
 * Every file in broken/ must be refused with a ConfigError whose message holds all substrings
 * listed for it in broken/expected.json (place, key, line and the "expected …" text). The CLI
 * test reuses expected.json, so the messages must stand alone.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfigFile, parseConfig } from "../../src/config/load.ts";

const dir = fileURLToPath(new URL("./broken/", import.meta.url));
const expected: Record<string, string[]> = JSON.parse(
  Deno.readTextFileSync(`${dir}expected.json`),
);

/** `<file>(:<line>)?: ([<section>] )?(<key>: )?<problem>; expected <what>` */
const SHAPE = /^(?<file>[^\n]+?)(?::(?<line>\d+))?: (?:\[(?<section>[^\]]+)\] )?.+; expected .+$/s;

function refusal(path: string): ConfigError {
  try {
    loadConfigFile(path);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `${path}: not a ConfigError: ${error}`);
    return error;
  }
  assert.fail(`${path} loaded without error`);
}

Deno.test("broken: expected.json lists exactly the broken files, at least 35", () => {
  const files = [...Deno.readDirSync(dir)]
    .map((e) => e.name)
    .filter((name) => name.endsWith(".ini"))
    .sort();
  assert.deepEqual(Object.keys(expected).sort(), files);
  assert.ok(files.length >= 35, `${files.length} broken files`);
  for (const [name, substrings] of Object.entries(expected)) {
    assert.ok(substrings.some((s) => s.startsWith("expected ")), `${name} asserts no "expected"`);
  }
});

for (const [name, substrings] of Object.entries(expected)) {
  Deno.test(`broken: ${name}`, () => {
    const path = dir + name;
    const error = refusal(path);
    assert.ok(error.message.startsWith(`${path}`), error.message);
    assert.equal(error.file, path);
    for (const s of substrings) {
      assert.ok(error.message.includes(s), `missing ${JSON.stringify(s)} in\n${error.message}`);
    }
    // The fields agree with the message.
    const shape = SHAPE.exec(error.message);
    assert.ok(shape, `message shape: ${error.message}`);
    assert.equal(shape.groups!.line, error.line?.toString());
    if (error.section !== undefined) assert.equal(shape.groups!.section, error.section);
    if (error.key !== undefined) assert.ok(error.message.includes(` ${error.key}: `));
    assert.equal(error.message.includes("\n"), false);
  });
}

Deno.test("broken: parseConfig on the decoded text gives the same messages", () => {
  for (const name of Object.keys(expected)) {
    if (name === "invalid_utf8.ini") continue; // refused before there is any text
    const path = dir + name;
    const text = new TextDecoder().decode(Deno.readFileSync(path));
    assert.throws(() => parseConfig(text, path), { message: refusal(path).message });
  }
});
