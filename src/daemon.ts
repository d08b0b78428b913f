/**
 * `-d`: run in the background. Deno cannot fork, so the parent re-spawns the daemon detached
 * (new session, no terminal) and exits 0 only once the child has bound its sockets; if the child
 * fails first, the parent prints the child's error and exits with its code.
 */
import type { Config } from "./config/model.ts";
import type { CliOptions } from "./cli.ts";
import { daemonPermissionFlags } from "./permissions.ts";

/** Internal flag telling the re-spawned child it is the daemon. Not in `-h`. */
export const DAEMON_CHILD_FLAG = "--daemon-child";
const READY = "READY";
const START_TIMEOUT_MS = 20_000;

export async function daemonize(config: Config, cli: CliOptions): Promise<number> {
  const executable = Deno.execPath();
  const childArgs = ["-c", cli.configPath, ...(cli.proxyOnly ? ["-p"] : []), DAEMON_CHILD_FLAG];
  // Under `deno run`, the child needs the run subcommand and the same minimal grants; a compiled
  // binary carries its grants inside.
  const underDenoRun = /^deno(\.exe)?$/.test(executable.split("/").pop() ?? "");
  const args = underDenoRun
    ? [
      "run",
      ...daemonPermissionFlags({
        configPath: cli.configPath,
        ports: config.ports,
        writes: [config.pidFile, config.logFile].filter((p): p is string => p !== undefined),
      }),
      decodeURIComponent(new URL(Deno.mainModule).pathname),
      ...childArgs,
    ]
    : childArgs;

  const child = new Deno.Command(executable, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();

  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderrText = new Response(child.stderr).text();
  let seen = "";
  const timeout = setTimeout(() => stdout.cancel(), START_TIMEOUT_MS);
  while (!seen.includes(`${READY}\n`)) {
    const { value, done } = await stdout.read();
    if (done) break;
    seen += value;
  }
  clearTimeout(timeout);

  if (seen.includes(`${READY}\n`)) {
    console.log(`proxydhcpd: running in the background (pid ${child.pid})`);
    await stdout.cancel();
    child.unref();
    return 0;
  }
  const status = await child.status;
  const errors = (await stderrText).trim();
  console.error(errors || `proxydhcpd: the background daemon exited with code ${status.code}`);
  return status.code || 1;
}

/** In the child, once its sockets are bound: write the PID file, then release the parent. */
export function announceReady(config: Config): void {
  if (config.pidFile !== undefined) Deno.writeTextFileSync(config.pidFile, `${Deno.pid}\n`);
  Deno.stdout.writeSync(new TextEncoder().encode(`${READY}\n`));
}

/** On shutdown: remove the PID file this daemon wrote. */
export function removePidFile(config: Config): void {
  if (config.pidFile === undefined) return;
  try {
    Deno.removeSync(config.pidFile);
  } catch { /* already gone */ }
}
