import { describe, expect, it } from 'vitest';
import { decodeFields, ProtoError, ProtoWriter, stringOf, stringsOf, varintsOf } from './protobuf.ts';

describe('protobuf codec', () => {
  it('writes the wire format byte for byte (the examples of the protobuf encoding guide)', () => {
    // field 1 = 150 is 08 96 01; field 2 = "testing" is 12 07 74 65 73 74 69 6e 67.
    expect([...new ProtoWriter().varint(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    expect([...new ProtoWriter().string(2, 'testing').finish()]).toEqual([
      0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67,
    ]);
    // An embedded message: field 3 holding {field 1 = 150} is 1a 03 08 96 01.
    expect([...new ProtoWriter().bytes(3, new ProtoWriter().varint(1, 150)).finish()]).toEqual([
      0x1a, 0x03, 0x08, 0x96, 0x01,
    ]);
  });

  it('reads back what it writes, in order, including varints beyond 32 bits', () => {
    const big = 2 ** 40 + 5;
    const bytes = new ProtoWriter()
      .varint(1, 0)
      .string(2, 'héllo')
      .varint(1, big)
      .bytes(3, Uint8Array.of(1, 2, 3))
      .string(2, 'again')
      .finish();
    const fields = decodeFields(bytes);
    expect(fields.map((f) => f.field)).toEqual([1, 2, 1, 3, 2]);
    expect(varintsOf(fields, 1)).toEqual([0, big]);
    expect(stringsOf(fields, 2)).toEqual(['héllo', 'again']);
    expect(stringOf(fields, 4)).toBeUndefined();
  });

  it('reads packed repeated varints', () => {
    // field 4, packed [3, 270, 86942]: 22 06 03 8e 02 9e a7 05 (the guide's example).
    const fields = decodeFields(Uint8Array.of(0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05));
    expect(varintsOf(fields, 4)).toEqual([3, 270, 86942]);
  });

  it.each<[string, number[], RegExp]>([
    ['a truncated varint', [0x08, 0x96], /truncated varint/],
    ['a length past the end', [0x12, 0x07, 0x74], /truncated length-delimited field/],
    ['a group (wire type 3)', [0x0b], /unsupported wire type 3/],
    ['field number 0', [0x00, 0x01], /field number 0/],
    ['an endless varint', [0x08, ...Array<number>(11).fill(0xff)], /longer than 10 bytes/],
  ])('rejects %s', (_what, bytes, message) => {
    expect(() => decodeFields(Uint8Array.from(bytes))).toThrow(ProtoError);
    expect(() => decodeFields(Uint8Array.from(bytes))).toThrow(message);
  });

  it('refuses to write a negative or fractional varint', () => {
    expect(() => new ProtoWriter().varint(1, -1)).toThrow(RangeError);
    expect(() => new ProtoWriter().varint(1, 1.5)).toThrow(RangeError);
  });
});
