/** The CLI as an admin meets it: help, version, usage errors, and every broken config → exit 2. */
import { deepStrictEqual as equal, ok } from "node:assert/strict";
import { runCli } from "../support/daemon.ts";
import { VERSION } from "../../src/version.ts";

const BROKEN = new URL("../config/broken/", import.meta.url);

Deno.test("cli: -h prints the usage and every option, exit 0", async () => {
  const { code, stdout } = await runCli(["-h"]);
  equal(code, 0);
  ok(stdout.startsWith("usage: proxydhcpd [-h] [-V] [-c FILE] [-d] [-p]"), stdout);
  for (
    const flag of [
      "-c, --config FILE",
      "-d, --daemon",
      "-p, --proxy-only",
      "/etc/proxydhcpd/proxy.ini",
    ]
  ) {
    ok(stdout.includes(flag), flag);
  }
});

Deno.test("cli: -V prints the product's version", async () => {
  const { code, stdout } = await runCli(["-V"]);
  equal([code, stdout.trim()], [0, `proxydhcpd ${VERSION}`]);
});

Deno.test("cli: unknown option and stray arguments are usage errors (exit 2)", async () => {
  for (const args of [["-x"], ["--frobnicate"], ["extra"], ["-c"]]) {
    const { code, stderr } = await runCli(args);
    equal(code, 2, args.join(" "));
    ok(stderr.includes("usage: proxydhcpd"), stderr);
    ok(!stderr.includes("Stack backtrace") && !stderr.includes("Uncaught"), stderr);
  }
});

Deno.test("cli: a missing config file is a one-line error naming it (exit 2)", async () => {
  const { code, stderr } = await runCli(["-c", "/nonexistent.ini"], "/nonexistent.ini");
  equal(code, 2);
  equal(stderr.trim().split("\n").length, 1, stderr);
  ok(stderr.includes("/nonexistent.ini: no such file"), stderr);
});

Deno.test("cli: a directory or a FIFO given as the config is a one-line error (exit 2)", async () => {
  const dir = Deno.makeTempDirSync();
  const fifo = `${dir}/proxy.ini`;
  await new Deno.Command("mkfifo", { args: [fifo] }).output();
  for (const [path, words] of [[dir, "is a directory"], [fifo, "FIFO"]]) {
    const { code, stderr } = await runCli(["-c", path], path);
    equal(code, 2, stderr);
    equal(stderr.trim().split("\n").length, 1, stderr);
    ok(stderr.includes(path) && stderr.includes(words), stderr);
  }
});

Deno.test("cli: every broken config exits 2 before binding, with the expected message", async () => {
  const expected: Record<string, string[]> = JSON.parse(
    Deno.readTextFileSync(new URL("expected.json", BROKEN)),
  );
  const names = Object.keys(expected);
  ok(names.length >= 30, `corpus has ${names.length} configs`);
  const failures: string[] = [];
  // A few at a time: each is a separate deno process.
  for (let i = 0; i < names.length; i += 6) {
    await Promise.all(
      names.slice(i, i + 6).map(async (name) => {
        const path = new URL(name, BROKEN).pathname;
        const { code, stderr, stdout } = await runCli(["-c", path], path);
        const problems = [
          code === 2 ? "" : `exit ${code}`,
          stdout.includes("listening") ? "bound sockets" : "",
          stderr.trim().split("\n").length === 1 ? "" : "not one line",
          stderr.includes(path) ? "" : "file not named",
          ...expected[name].filter((part) => !stderr.includes(part)).map((part) =>
            `missing "${part}"`
          ),
        ].filter(Boolean);
        if (problems.length) failures.push(`${name}: ${problems.join(", ")}\n  ${stderr.trim()}`);
      }),
    );
  }
  equal(failures, []);
});
