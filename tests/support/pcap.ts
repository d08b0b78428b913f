/**
 * Minimal reader for classic libpcap files (what `tcpdump -w` writes; not pcapng). Tolerates a
 * truncated last record, so a capture that `tcpdump -U` is still writing can be read.
 */
export interface PcapRecord {
  /** Capture time in seconds since the epoch (microsecond or nanosecond precision). */
  time: number;
  /** The captured bytes of the frame (may be shorter than on the wire if snaplen cut it). */
  data: Uint8Array;
}

export interface Pcap {
  /** Link-layer type (1 = Ethernet). */
  linkType: number;
  records: PcapRecord[];
}

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export function readPcap(bytes: Uint8Array): Pcap {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < FILE_HEADER) throw new Error(`Cannot read pcap: only ${bytes.length} bytes`);
  // The magic number tells the writer's byte order and the timestamp unit.
  const magicLe = view.getUint32(0, true);
  const magicBe = view.getUint32(0, false);
  const little = magicLe === MAGIC_MICRO || magicLe === MAGIC_NANO;
  const magic = little ? magicLe : magicBe;
  if (magic !== MAGIC_MICRO && magic !== MAGIC_NANO) {
    throw new Error(`Cannot read pcap: bad magic 0x${magicBe.toString(16)} (pcapng is not read)`);
  }
  const fraction = magic === MAGIC_NANO ? 1e9 : 1e6;
  const records: PcapRecord[] = [];
  let at = FILE_HEADER;
  while (at + RECORD_HEADER <= bytes.length) {
    const length = view.getUint32(at + 8, little);
    if (at + RECORD_HEADER + length > bytes.length) break;
    const time = view.getUint32(at, little) + view.getUint32(at + 4, little) / fraction;
    records.push({ time, data: bytes.slice(at + RECORD_HEADER, at + RECORD_HEADER + length) });
    at += RECORD_HEADER + length;
  }
  return { linkType: view.getUint32(20, little), records };
}
