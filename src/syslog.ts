/**
 * A log sink for `-d` without `log_file`: libc's syslog(3), so lines reach the journal or
 * /var/log/syslog once the terminal is gone. Loaded through the same scoped FFI grant as the
 * transport.
 */
import { LIBC_PATH } from "./net/libc.ts";

const LOG_DAEMON = 3 << 3;
const LOG_PID = 0x01;
const PRIORITY: Record<string, number> = { DEBUG: 7, INFO: 6, WARNING: 4, ERROR: 3, FATAL: 2 };

/** A `writeSync` target that sends each text log line to syslog with its level's priority. */
export function openSyslog(ident = "proxydhcpd"): { writeSync(p: Uint8Array): number } {
  const libc = Deno.dlopen(LIBC_PATH, {
    openlog: { parameters: ["buffer", "i32", "i32"], result: "void" },
    // syslog(priority, "%s", line): the line is passed as an argument, never as the format.
    syslog: { parameters: ["i32", "buffer", "buffer"], result: "void" },
  });
  const encoder = new TextEncoder();
  // openlog keeps the pointer: the ident buffer must outlive the process.
  const identBytes = encoder.encode(ident + "\0");
  libc.symbols.openlog(identBytes, LOG_PID, LOG_DAEMON);
  const format = encoder.encode("%s\0");
  const decoder = new TextDecoder();
  return {
    writeSync(bytes) {
      for (const line of decoder.decode(bytes).split("\n")) {
        if (line === "") continue;
        const level = /^\S+ (\w+)/.exec(line)?.[1] ?? "INFO";
        // The text format starts with a time stamp; syslog adds its own.
        const message = line.replace(/^\S+ \w+\s+/, "");
        libc.symbols.syslog(
          LOG_DAEMON | (PRIORITY[level] ?? 6),
          format,
          encoder.encode(message + "\0"),
        );
      }
      return bytes.length;
    },
  };
}
