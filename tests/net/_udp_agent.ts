/**
 * A small UDP actor for network-namespace tests, run as a child process inside a namespace
 * (`ip netns exec NS deno run … _udp_agent.ts '<json spec>'`). It prints one JSON event per
 * line: `ready`, then `datagram`/`sent`/`error` events, then `done`.
 *
 * Transports: "pktinfo" is the code under test; "deno" is a plain Deno.listenDatagram socket on
 * 0.0.0.0, the independent witness (and what the portable transport does).
 */

import { LIBC_PATH } from "../../src/net/libc.ts";
import { listInterfaces, localAddressFor } from "../../src/net/interfaces.ts";
import { PktinfoTransport } from "../../src/net/pktinfo.ts";
import type { Inbound, Outbound } from "../../src/net/transport.ts";

export type AgentTransport = "pktinfo" | "deno";

export interface ListenSpec {
  readonly op: "listen";
  readonly transport: AgentTransport;
  readonly port: number;
  /** Stop after a datagram with this text, or after `max` datagrams, or after `timeoutMs`. */
  readonly until?: string;
  readonly max?: number;
  readonly timeoutMs: number;
}

export interface SendSpec {
  readonly op: "send";
  /** Local port of the pktinfo sender (the "deno" one always takes an ephemeral port). */
  readonly fromPort?: number;
  readonly sends: readonly { transport: AgentTransport; to: Outbound; text: string }[];
}

export type AgentSpec = ListenSpec | SendSpec;

export interface DatagramEvent {
  readonly event: "datagram";
  readonly text: string;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly ifindex?: number;
  readonly destinationAddress?: string;
  /** localAddressFor(datagram, listInterfaces()) in the agent's namespace (pktinfo only). */
  readonly serverAddress?: string;
}

export interface SendResult {
  readonly event: "sent" | "error";
  readonly text: string;
  readonly name?: string;
  readonly message?: string;
}

/** The command line that runs the agent with the daemon's scoped permissions. */
export function agentCommand(spec: AgentSpec): string[] {
  return [
    Deno.execPath(),
    "run",
    "--no-config",
    "--no-prompt",
    "--unstable-net",
    `--allow-ffi=${LIBC_PATH}`,
    "--allow-sys=networkInterfaces",
    "--allow-net",
    new URL(import.meta.url).pathname,
    JSON.stringify(spec),
  ];
}

function emit(event: Record<string, unknown>): void {
  console.log(JSON.stringify(event));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function listen(spec: ListenSpec): Promise<void> {
  const receive = openReceiver(spec.transport, spec.port);
  const interfaces = spec.transport === "pktinfo" ? listInterfaces() : [];
  emit({ event: "ready" });
  const deadline = setTimeout(() => {
    emit({ event: "done", reason: "timeout" });
    Deno.exit(0);
  }, spec.timeoutMs);
  let count = 0;
  for (;;) {
    for (const inbound of await receive()) {
      const text = decoder.decode(inbound.data);
      const serverAddress = inbound.ifindex === undefined
        ? undefined
        : localAddressFor(inbound, interfaces);
      const { sourceAddress, sourcePort, ifindex, destinationAddress } = inbound;
      emit({
        event: "datagram",
        text,
        sourceAddress,
        sourcePort,
        ifindex,
        destinationAddress,
        serverAddress,
      });
      count++;
      if (text === spec.until || count === spec.max) {
        clearTimeout(deadline);
        emit({ event: "done", reason: "complete" });
        return;
      }
    }
  }
}

function openReceiver(transport: AgentTransport, port: number): () => Promise<Inbound[]> {
  if (transport === "pktinfo") {
    const endpoint = new PktinfoTransport().open(port);
    return () => endpoint.receive();
  }
  const conn = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port });
  return async () => {
    const [data, from] = await conn.receive();
    const { hostname, port } = from as Deno.NetAddr;
    return [{ data, sourceAddress: hostname, sourcePort: port }];
  };
}

async function send(spec: SendSpec): Promise<void> {
  const port = spec.fromPort ?? 0;
  let pktinfo: ReturnType<PktinfoTransport["open"]> | undefined;
  let plain: Deno.DatagramConn | undefined;
  emit({ event: "ready" });
  for (const { transport, to, text } of spec.sends) {
    try {
      if (transport === "pktinfo") {
        pktinfo ??= new PktinfoTransport().open(port);
        pktinfo.send(encoder.encode(text), to);
      } else {
        plain ??= Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 });
        await plain.send(encoder.encode(text), {
          transport: "udp",
          hostname: to.address,
          port: to.port,
        });
      }
      emit({ event: "sent", text });
    } catch (error) {
      const { name, message } = error as Error;
      emit({ event: "error", text, name, message });
    }
  }
  pktinfo?.close();
  plain?.close();
  emit({ event: "done", reason: "complete" });
}

if (import.meta.main) {
  const spec = JSON.parse(Deno.args[0]) as AgentSpec;
  if (spec.op === "listen") await listen(spec);
  else await send(spec);
}
