/** Command-line parsing: `proxydhcpd [-h] [-V] [-c FILE] [-d] [-p]`. Pure. */
import { parseArgs } from "node:util";
import { DEFAULT_CONFIG_PATH } from "./config/model.ts";
import { VERSION } from "./version.ts";

export interface CliOptions {
  readonly help: boolean;
  readonly version: boolean;
  readonly configPath: string;
  readonly daemonize: boolean;
  readonly proxyOnly: boolean;
  /** Set internally on the process `-d` re-spawns (see daemon.ts); not shown in help. */
  readonly daemonChild: boolean;
}

export const USAGE = "usage: proxydhcpd [-h] [-V] [-c FILE] [-d] [-p]";

export const HELP = `${USAGE}

ProxyDHCP server for PXE network booting ${VERSION}. Answers PXE clients beside an existing
DHCP server (DISCOVER on udp/67, REQUEST on udp/4011); never hands out addresses.

options:
  -h, --help           show this help and exit
  -V, --version        show the version and exit
  -c, --config FILE    configuration file (default: ${DEFAULT_CONFIG_PATH})
  -d, --daemon         detach from the terminal and run in the background
  -p, --proxy-only     serve udp/4011 only (when the primary DHCP server owns udp/67)

signals: SIGHUP reloads the configuration; SIGTERM and SIGINT stop.
exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.`;

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseCli(args: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
        config: { type: "string", short: "c" },
        daemon: { type: "boolean", short: "d" },
        "proxy-only": { type: "boolean", short: "p" },
        "daemon-child": { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]);
  }
  if (values.config === "") throw new UsageError("option -c needs a file name");
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    configPath: values.config ?? DEFAULT_CONFIG_PATH,
    daemonize: values.daemon ?? false,
    proxyOnly: values["proxy-only"] ?? false,
    daemonChild: values["daemon-child"] ?? false,
  };
}
