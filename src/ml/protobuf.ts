/**
 * A minimal protocol-buffers codec: enough of the wire format to write and read ONNX models (varints,
 * length-delimited fields, fixed 32/64-bit fields). Written by hand so that the repo needs no protobuf
 * package and the bytes it writes are fully determined by this file.
 */

/** Wire types of the protobuf encoding. */
export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Builds one protobuf message field by field, in the order the calls are made. */
export class ProtoWriter {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;

  /** Writes an unsigned integer field (int32, int64, enum, bool) as a varint. */
  varint(field: number, value: number): this {
    this.#tag(field, WireType.Varint);
    this.#varint(value);
    return this;
  }

  /** Writes a string field as UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** Writes a length-delimited field: raw bytes, or an embedded message already written. */
  bytes(field: number, value: Uint8Array | ProtoWriter): this {
    const body = value instanceof ProtoWriter ? value.finish() : value;
    this.#tag(field, WireType.Bytes);
    this.#varint(body.length);
    this.#push(body);
    return this;
  }

  /** Returns the message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  #varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`protobuf varint: ${value} is not a non-negative safe integer`);
    }
    const bytes: number[] = [];
    let v = value;
    while (v >= 0x80) {
      bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    bytes.push(v);
    this.#push(Uint8Array.from(bytes));
  }

  #push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }
}

/** One decoded field: a varint or fixed value as a number, a length-delimited one as its bytes. */
export type ProtoField =
  | { readonly field: number; readonly wire: 0 | 1 | 5; readonly value: number }
  | { readonly field: number; readonly wire: 2; readonly value: Uint8Array };

/** Thrown when bytes are not a well-formed protobuf message. */
export class ProtoError extends Error {
  override readonly name = 'ProtoError';
}

/** Decodes the fields of one message, in the order they appear; throws ProtoError on malformed input. */
export function decodeFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= bytes.length) throw new ProtoError(`truncated varint at byte ${at}`);
      const b = bytes[at++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
    throw new ProtoError(`varint longer than 10 bytes at byte ${at}`);
  };
  const need = (n: number, what: string) => {
    if (n > bytes.length - at) throw new ProtoError(`truncated ${what} at byte ${at}`);
  };
  while (at < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) throw new ProtoError(`field number 0 at byte ${at}`);
    switch (wire) {
      case WireType.Varint:
        fields.push({ field, wire, value: varint() });
        break;
      case WireType.Fixed64:
        need(8, 'fixed64');
        fields.push({ field, wire, value: view.getFloat64(at, true) });
        at += 8;
        break;
      case WireType.Bytes: {
        const n = varint();
        need(n, 'length-delimited field');
        fields.push({ field, wire, value: bytes.subarray(at, at + n) });
        at += n;
        break;
      }
      case WireType.Fixed32:
        need(4, 'fixed32');
        fields.push({ field, wire, value: view.getFloat32(at, true) });
        at += 4;
        break;
      default:
        throw new ProtoError(`unsupported wire type ${wire} at byte ${at}`);
    }
  }
  return fields;
}

/** Returns the bytes of every length-delimited occurrence of `field`. */
export function bytesOf(fields: readonly ProtoField[], field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of fields) if (f.field === field && f.wire === WireType.Bytes) out.push(f.value);
  return out;
}

/** Returns every occurrence of `field` as strings. */
export function stringsOf(fields: readonly ProtoField[], field: number): string[] {
  return bytesOf(fields, field).map((b) => {
    try {
      return decoder.decode(b);
    } catch {
      throw new ProtoError(`field ${field} is not valid UTF-8`);
    }
  });
}

/** Returns the first occurrence of string `field`, or undefined. */
export function stringOf(fields: readonly ProtoField[], field: number): string | undefined {
  return stringsOf(fields, field)[0];
}

/** Returns every integer of a repeated varint `field`, packed or not. */
export function varintsOf(fields: readonly ProtoField[], field: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wire === WireType.Varint) out.push(f.value);
    else if (f.wire === WireType.Bytes) {
      // A packed repeated field: a run of varints with no tags.
      out.push(...decodePackedVarints(f.value));
    }
  }
  return out;
}

function decodePackedVarints(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i === 10 || at >= bytes.length) throw new ProtoError('malformed packed varints');
      const b = bytes[at++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
    }
    out.push(value);
  }
  return out;
}
