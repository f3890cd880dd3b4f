/** Bytes of the header of an unmasked frame carrying `length` bytes of payload (RFC 6455 §5.2). */
export function frameHeaderLength(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/**
 * A complete, unmasked WebSocket text frame (FIN set, opcode 1) carrying `text`: what a server
 * writes to the TCP stream for one message (RFC 6455 §5.2; servers never mask). Built once, the
 * same Buffer can be written to any number of sockets.
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = frameHeaderLength(length);
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, header, 'utf8');
  return frame;
}

/** The payload of a frame built by textFrame (its text's bytes, without the header). */
export function framePayload(frame: Buffer): Buffer {
  const marker = frame[1] & 0x7f;
  return frame.subarray(marker < 126 ? 2 : marker === 126 ? 4 : 10);
}
