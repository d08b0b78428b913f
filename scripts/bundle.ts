/**
 * `deno task bundle`: builds `dist/proxydhcpd.js`, the whole daemon in one JavaScript file, with
 * `deno bundle --platform deno` (esbuild, fetched from npm). It is the shippable form where no
 * denort runtime exists for `deno compile` (toolchain.md). Run it with the flags printed at the
 * end: `--no-config` means deno.json's `unstable` list is gone, so `--unstable-net` is explicit.
 * Usage: `deno task bundle [--output FILE]`.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { bundleRunFlags, DEFAULT_CONFIG_PATH } from "./permissions.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
export const DEFAULT_BUNDLE_OUTPUT = `${ROOT}/dist/proxydhcpd.js`;
const ENTRY = `${ROOT}/src/main.ts`;

/** Bundles src/main.ts into `output` and checks the result runs. Throws "Cannot …" errors. */
export async function bundle(output: string = DEFAULT_BUNDLE_OUTPUT): Promise<string> {
  await Deno.remove(output).catch(() => {});
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--config", `${ROOT}/deno.json`, "--platform", "deno", "-o", output, ENTRY],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!built.success) {
    throw new Error(`Cannot bundle ${ENTRY}: ${new TextDecoder().decode(built.stderr).trim()}`);
  }
  // The bundle must start under exactly the documented flags (no deno.json, unstable net).
  const version = await new Deno.Command(Deno.execPath(), {
    args: [...bundleRunFlags(), output, "--version"],
    cwd: "/",
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const answer = new TextDecoder().decode(version.stdout).trim();
  if (!version.success || !answer.startsWith("proxydhcpd ")) {
    await Deno.remove(output).catch(() => {});
    const why = answer || new TextDecoder().decode(version.stderr).trim();
    throw new Error(`Cannot bundle ${ENTRY}: the bundle does not run (${why})`);
  }
  return answer;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    strict: true,
    options: { output: { type: "string" } },
  });
  const output = values.output ?? DEFAULT_BUNDLE_OUTPUT;
  try {
    const version = await bundle(output);
    const size = (await Deno.stat(output)).size;
    console.log(`Built ${output} (${version}, ${Math.round(size / 1024)} KB). Run it with:`);
    console.log(`deno ${bundleRunFlags().join(" ")} ${output} -c ${DEFAULT_CONFIG_PATH}`);
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
