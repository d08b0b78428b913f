/** What one scenario run observed, gathered for checks, reports and fixtures. */
import type { DhcpFrame } from "./capture.ts";
import type { Decision, ProxyKind } from "./proxy.ts";
import type { Scenario } from "./scenarios.ts";

export interface Evidence {
  readonly scenario: Scenario;
  readonly proxyKind: ProxyKind;
  /** Random id printed by this run's iPXE script; proves the script came from this run. */
  readonly runId: string;
  readonly workDir: string;
  /** Epoch seconds (same clock as capture timestamps). */
  readonly qemuStartedAt: number;
  readonly endedAt: number;
  readonly qemuExit?: Deno.CommandStatus;
  readonly timedOut: boolean;
  readonly frames: readonly DhcpFrame[];
  readonly pcap: Uint8Array;
  readonly serial: string;
  readonly markerLine?: string;
  readonly markerAt?: number;
  readonly proxyConfig: string;
  readonly proxyLog: readonly string[];
  readonly decisions: readonly Decision[];
  readonly primaryLog: readonly string[];
  /** The DHCP relay's log lines (routed network only). */
  readonly relayLog?: readonly string[];
  /** Harness-level problems noticed during the run (a server died, …). */
  readonly problems: readonly string[];
}
