/**
 * Collects boot routes per arch code from several keys and refuses an arch routed twice, naming
 * both keys, so no key silently wins over another.
 */
import { archName } from "../pxe/arch.ts";
import { ConfigError } from "./errors.ts";

/** The config entry a route came from. */
export interface RouteOwner {
  readonly section: string;
  readonly key: string;
  readonly line: number;
}

export class RouteTable {
  readonly firmware = new Map<number, string>();
  readonly http = new Map<number, string>();
  readonly #owners = new Map<number, RouteOwner>();

  constructor(private readonly file: string) {}

  add(kind: "firmware" | "http", code: number, target: string, owner: RouteOwner): void {
    const first = this.#owners.get(code);
    if (first !== undefined && !(first.section === owner.section && first.key === owner.key)) {
      throw new ConfigError(
        { file: this.file, ...owner },
        `arch ${code} (${archName(code)}) is already routed by [${first.section}] ` +
          `${first.key} at line ${first.line}`,
        "each arch routed by one key only",
      );
    }
    this.#owners.set(code, owner);
    (kind === "firmware" ? this.firmware : this.http).set(code, target);
  }

  get isEmpty(): boolean {
    return this.firmware.size === 0 && this.http.size === 0;
  }
}
