/** Runs short host commands (ip, ss, dpkg-query) and turns failures into readable errors. */

/** Runs `cmd args…` to completion; returns stdout. Throws "Cannot <action>: <stderr>". */
export async function run(cmd: string, args: string[], action?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
    .output();
  return checked(cmd, args, out, action);
}

/** Synchronous twin of `run`, for cleanup inside a signal handler. */
export function runSync(cmd: string, args: string[], action?: string): string {
  const out = new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
    .outputSync();
  return checked(cmd, args, out, action);
}

function checked(
  cmd: string,
  args: string[],
  out: Deno.CommandOutput,
  action: string | undefined,
): string {
  const decoder = new TextDecoder();
  if (!out.success) {
    const what = action ?? `run ${[cmd, ...args].join(" ")}`;
    const detail = decoder.decode(out.stderr).trim() || `exit code ${out.code}`;
    throw new Error(`Cannot ${what}: ${detail}`);
  }
  return decoder.decode(out.stdout);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` every `intervalMs` until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await sleep(intervalMs);
  }
}
