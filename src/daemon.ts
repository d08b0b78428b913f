/** `-d`: detach from the terminal. Deno cannot fork, so the daemon re-spawns itself detached. */
import type { Config } from "./config/model.ts";

export function daemonize(_config: Config): Promise<number> {
  console.error("proxydhcpd: -d is not available yet; run under systemd or with & and nohup");
  return Promise.resolve(2);
}
