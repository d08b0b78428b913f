/** CLI entry point and wiring: config → logging → transport → server → signals. */
import { HELP, parseCli, USAGE, UsageError } from "./cli.ts";
import { VERSION } from "./version.ts";
import type { Config } from "./config/model.ts";
import { ConfigError } from "./config/errors.ts";
import { loadConfigFile } from "./config/load.ts";
import { flushLogs, log, setupLogging } from "./log.ts";
import { ProxyServer } from "./server.ts";
import { selectTransport, type TransportSelection } from "./net/select.ts";
import { interfaceBook } from "./net/interface_book.ts";
import { describeStartup } from "./startup.ts";
import { bindFailure, checkInterfaces } from "./preflight.ts";
import { announceReady, daemonize, removePidFile } from "./daemon.ts";
import { openSyslog } from "./syslog.ts";

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

function fail(code: number, message: string): never {
  flushLogs();
  console.error(`proxydhcpd: ${message}`);
  Deno.exit(code);
}

async function main(args: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(EXIT_USAGE, `${error.message}\n${USAGE}`);
  }
  if (cli.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  if (cli.version) {
    console.log(`proxydhcpd ${VERSION}`);
    return EXIT_OK;
  }

  let config: Config;
  try {
    config = loadConfigFile(cli.configPath);
  } catch (error) {
    if (error instanceof ConfigError) fail(EXIT_USAGE, error.message);
    throw error;
  }
  if (cli.daemonize && !cli.daemonChild) return await daemonize(config, cli);
  if (cli.daemonChild) {
    // The terminal is gone: log to the configured file, else to syslog.
    const output = config.logFile !== undefined
      ? Deno.openSync(config.logFile, { append: true, create: true, write: true })
      : openSyslog();
    setupLogging({
      format: config.logFile ? config.log.format : "text",
      level: config.log.level,
      output,
    });
  } else {
    setupLogging(config.log);
  }
  const interfaces = interfaceBook();
  let selection: TransportSelection;
  try {
    selection = selectTransport(config.transport);
  } catch (error) {
    fail(EXIT_RUNTIME, `Cannot use transport=${config.transport}: ${(error as Error).message}`);
  }
  const transport = selection.transport;
  const problem = checkInterfaces(config, interfaces.all(), transport.name);
  if (problem !== undefined) fail(EXIT_RUNTIME, problem);

  const server = new ProxyServer(config, { transport, proxyOnly: cli.proxyOnly, interfaces });
  try {
    server.bind();
  } catch (error) {
    fail(EXIT_RUNTIME, bindFailure(error, config, cli.proxyOnly));
  }
  for (const line of describeStartup(config, server.boundPorts, transport.name, interfaces.all())) {
    log.info(line);
  }
  log.info("Transport {name}: {reason}", { name: transport.name, reason: selection.reason });
  for (const notice of config.notices) log.warn(notice);
  flushLogs();
  if (cli.daemonChild) announceReady(config);

  const stop = () => server.close();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGHUP", () => reload(server, cli.configPath));

  await server.serve();
  if (cli.daemonChild) removePidFile(config);
  log.info("Stopped: {received} received, {replied} replied", {
    received: server.counters.received,
    replied: server.counters.replied,
  });
  flushLogs();
  return EXIT_OK;
}

/** SIGHUP: validate the file into a new config and swap it in; a bad file changes nothing. */
function reload(server: ProxyServer, path: string): void {
  try {
    const next = loadConfigFile(path);
    const old = server.config;
    if (next.ports.dhcp !== old.ports.dhcp || next.ports.pxe !== old.ports.pxe) {
      log.warn("Reload: port changes need a restart; serving the new config on the old ports");
    }
    server.reload({ ...next, ports: { ...next.ports, dhcp: old.ports.dhcp, pxe: old.ports.pxe } });
    log.info("Reloaded {file}, config hash {hash}", { file: path, hash: next.hash });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    log.error("Reload failed, keeping config hash {hash}: {why}", {
      hash: server.config.hash,
      why,
    });
  }
  flushLogs();
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
