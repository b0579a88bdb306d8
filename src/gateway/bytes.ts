// Bytes as Node's Buffer: GWI bodies and gwi.input chunks are any Uint8Array, node's APIs want Buffers.
import { Buffer } from 'node:buffer';

/** A Buffer over the same memory as `bytes` (no copy); a Buffer is returned as it is. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
