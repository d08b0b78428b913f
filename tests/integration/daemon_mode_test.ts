/** `-d`: detaches, answers, writes its PID and log file, stops on SIGTERM; reports child errors. */
import { deepStrictEqual as equal, ok } from "node:assert/strict";
import { daemonPermissionFlags } from "../../src/permissions.ts";
import { DemoClient } from "../../scripts/demo/client.ts";
import { loadFixture } from "../support/fixtures.ts";
import { MAIN, randomPorts, writeConfig } from "../support/daemon.ts";
import type { Ports } from "../../src/config/model.ts";

async function startDetached(config: string, ports: Ports, writes: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...daemonPermissionFlags({ configPath: config, ports, writes, runs: Deno.execPath() }),
      MAIN,
      "-c",
      config,
      "-d",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

function iniFor(ports: Ports, dir: string) {
  return `[proxy]\nlisten_address=127.0.0.1\n[ipxe]\nlegacy_bootstrap=undionly.kpxe\n` +
    `efi_bootstrap=ipxe.efi\nchainload_url=boot.ipxe\n[server]\ndhcp_port=${ports.dhcp}\n` +
    `pxe_port=${ports.pxe}\nclient_port=${ports.client}\npid_file=${dir}/pd.pid\n` +
    `log_file=${dir}/pd.log\n`;
}

Deno.test("-d: parent exits 0 once the child serves; PID file, log file, SIGTERM", async () => {
  const ports = randomPorts();
  const dir = Deno.makeTempDirSync();
  const config = writeConfig(iniFor(ports, dir));
  const started = await startDetached(config, ports, [`${dir}/pd.pid`, `${dir}/pd.log`]);
  equal(started.code, 0, started.stderr);
  const pid = Number(Deno.readTextFileSync(`${dir}/pd.pid`).trim());
  ok(started.stdout.includes(`pid ${pid}`), started.stdout);
  const client = new DemoClient(ports.client);
  try {
    const replies = await client.exchange(
      loadFixture("asrock_bios_pxe-arch0-discover-67.bin").bytes,
      ports.dhcp,
    );
    equal(replies[0]?.packet.file, "undionly.kpxe");
    // Detached: its own session, so it is no longer in the test's process group.
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    equal(stat[3], String(pid), "session id is its own pid (setsid)");
  } finally {
    await client.close();
    Deno.kill(pid, "SIGTERM");
  }
  for (let i = 0; i < 100 && exists(`/proc/${pid}`); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  ok(!exists(`/proc/${pid}`), "stopped by SIGTERM");
  ok(!exists(`${dir}/pd.pid`), "PID file removed on shutdown");
  const log = Deno.readTextFileSync(`${dir}/pd.log`);
  ok(log.includes('"action":"offer"') && log.includes("Stopped"), log);
});

Deno.test("-d: a child that cannot bind makes the parent print why and exit non-zero", async () => {
  const ports = randomPorts();
  const dir = Deno.makeTempDirSync();
  const config = writeConfig(iniFor(ports, dir));
  const squatter = Deno.listenDatagram({ hostname: "0.0.0.0", port: ports.pxe, transport: "udp" });
  try {
    const started = await startDetached(config, ports, [`${dir}/pd.pid`, `${dir}/pd.log`]);
    equal(started.code, 1);
    ok(started.stderr.includes(`Cannot bind`), started.stderr);
    ok(!exists(`${dir}/pd.pid`));
  } finally {
    squatter.close();
  }
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
