/** Thrown by `decodePacket` for bytes that are not a well-formed DHCPv4 message. */
export class DecodeError extends Error {
  override name = "DecodeError";
  /** Byte offset in the datagram where decoding failed. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.offset = offset;
  }
}

/** Thrown by `encodePacket` when asked to write a message firmware would reject. */
export class EncodeError extends Error {
  override name = "EncodeError";
}
