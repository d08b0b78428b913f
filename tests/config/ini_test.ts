import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/errors.ts";
import { parseIni } from "../../src/config/ini.ts";

function entries(text: string) {
  return parseIni(text, "t.ini").map((s) => ({
    name: s.name,
    line: s.line,
    entries: s.entries.map((e) => [e.key, e.value, e.line]),
  }));
}

function iniError(text: string): ConfigError {
  try {
    parseIni(text, "t.ini");
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    return error;
  }
  assert.fail(`parsed without error: ${JSON.stringify(text)}`);
}

Deno.test("ini: sections and entries keep file order and line numbers", () => {
  const text = "; header comment\n[b]\nz=1\na = 2\n\n[a]\n  # indented comment\nk: v\n";
  assert.deepEqual(entries(text), [
    { name: "b", line: 2, entries: [["z", "1", 3], ["a", "2", 4]] },
    { name: "a", line: 6, entries: [["k", "v", 8]] },
  ]);
});

Deno.test("ini: keys are lowercased like configparser, section names are not", () => {
  assert.deepEqual(entries("[Proxy]\nTFTPD = 1.2.3.4\n"), [
    { name: "Proxy", line: 1, entries: [["tftpd", "1.2.3.4", 2]] },
  ]);
});

Deno.test("ini: the first = or : splits key from value", () => {
  const text = "[s]\nurl: http://h:8080/a?x=1\nother=a:b\nsp\t=\t v v \t\n";
  assert.deepEqual(entries(text)[0].entries, [
    ["url", "http://h:8080/a?x=1", 2],
    ["other", "a:b", 3],
    ["sp", "v v", 4],
  ]);
});

Deno.test("ini: no inline comments, # and ; stay in values", () => {
  const text = "[ipxe]\nchainload_url=http://h/boot.ipxe#x\nb = a ; b # c\n";
  assert.deepEqual(entries(text)[0].entries, [
    ["chainload_url", "http://h/boot.ipxe#x", 2],
    ["b", "a ; b # c", 3],
  ]);
});

Deno.test("ini: CRLF line ends and a UTF-8 BOM are accepted", () => {
  const text = "\uFEFF[s]\r\na=1\r\n\r\n# c\r\nb=2\r\n";
  assert.deepEqual(entries(text), [{
    name: "s",
    line: 1,
    entries: [["a", "1", 2], ["b", "2", 5]],
  }]);
});

Deno.test("ini: non-ASCII text is fine inside comments", () => {
  assert.deepEqual(entries("# café ☕\n[s]\n; ü\na=1\n")[0].entries, [["a", "1", 4]]);
});

Deno.test("ini: one pair of surrounding quotes is removed", () => {
  const text = `[s]\na="proxyDHCPd"\nb='x'\nc="'y'"\nd=say "hi"\ne=""\nf=\n`;
  assert.deepEqual(entries(text)[0].entries, [
    ["a", "proxyDHCPd", 2],
    ["b", "x", 3],
    ["c", "'y'", 4],
    ["d", 'say "hi"', 5],
    ["e", "", 6],
    ["f", "", 7],
  ]);
});

const errorCases: [string, string, Partial<ConfigError>, string[]][] = [
  ["key before section", "\nk=v\n[s]\n", { line: 2, key: "k" }, ["key before any section"]],
  ["garbage", "[s]\nnonsense\n", { line: 2, section: "s" }, ["neither a [section] header"]],
  ["duplicate section", "[s]\n[t]\n[s]\n", { line: 3, section: "s" }, ["first at line 1"]],
  ["duplicate key ignoring case", "[s]\nA=1\na=2\n", { line: 3, key: "a" }, ["first at line 2"]],
  ["continuation", "[s]\na=1\n\t2\n", { line: 3, key: "a" }, ["multi-line values"]],
  ["indented first key", "[s]\n a=1\n", { line: 2, section: "s" }, ["starts with whitespace"]],
  ["indented colon line", "[s]\n : v\n", { line: 2 }, ["starts with whitespace"]],
  ["empty key after trim", "[s]\n= v\n", { line: 2 }, ['empty key before "="']],
  ["empty key with colon", "[s]\n:v\n", { line: 2 }, ['empty key before ":"']],
  ["non-ASCII value", "[s]\na=é\n", { line: 2, key: "a" }, ["non-ASCII character U+00E9"]],
  ["non-ASCII key", "[s]\nä=1\n", { line: 2 }, ['non-ASCII character U+00E4 "ä" in key']],
  ["non-ASCII header", "[sé]\n", { line: 1 }, ["non-ASCII", "section header"]],
  ["DEL in value", "[s]\na=b\x7f\n", { line: 2, key: "a" }, ["control character 0x7F"]],
  ["lone CR in value", "[s]\na=b\rc\n", { line: 2, key: "a" }, ["control character 0x0D"]],
  ["unclosed header", "[s]\n[t\n", { line: 2 }, ["malformed section header"]],
  ["text after header", "[s] x\n", { line: 1 }, ["malformed section header"]],
  ["empty header", "[ ]\n", { line: 1 }, ["malformed section header"]],
  ["unbalanced quote", "[s]\na='x\n", { line: 2, key: "a" }, ["unbalanced quote"]],
  ["lone quote", '[s]\na="\n', { line: 2, key: "a" }, ["unbalanced quote"]],
  ["CRLF line number", "[s]\r\n\r\na=1\r\nbad\r\n", { line: 4 }, ["neither"]],
];

for (const [name, text, fields, substrings] of errorCases) {
  Deno.test(`ini error: ${name}`, () => {
    const error = iniError(text);
    assert.equal(error.file, "t.ini");
    for (const [field, value] of Object.entries(fields)) {
      assert.equal(error[field as keyof ConfigError], value, `${field} in ${error.message}`);
    }
    assert.ok(error.message.startsWith(`t.ini:${error.line}: `), error.message);
    assert.match(error.message, /; expected ./);
    for (const s of substrings) assert.ok(error.message.includes(s), `${s} in ${error.message}`);
  });
}
