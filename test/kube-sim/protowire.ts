// Protocol-buffer wire format: a small writer (for /openapi/v2 and tests) and a reader (for protobuf request bodies).
export type Field = { no: number; wire: 0 | 1 | 2 | 5; value: bigint | Uint8Array };

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** a length-delimited field: a string, bytes or an already encoded message */
export function lenField(no: number, value: string | Uint8Array): Buffer {
  const body = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  return Buffer.concat([Buffer.from([...varint(BigInt((no << 3) | 2)), ...varint(BigInt(body.length))]), body]);
}

/** a varint field: an integer or a bool */
export function intField(no: number, value: number | bigint | boolean): Buffer {
  return Buffer.from([...varint(BigInt((no << 3) | 0)), ...varint(BigInt(typeof value === "boolean" ? Number(value) : value))]);
}

export function message(...fields: Buffer[]): Buffer {
  return Buffer.concat(fields);
}

/** the fields of one message, in wire order; throws on a truncated or malformed buffer */
export function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const readVarint = (): bigint => {
    let shift = 0n, v = 0n;
    for (;;) {
      if (i >= buf.length || shift > 63n) throw new Error("truncated varint");
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  const take = (n: number): Uint8Array => {
    if (i + n > buf.length) throw new Error("truncated field");
    const s = buf.subarray(i, i + n);
    i += n;
    return s;
  };
  while (i < buf.length) {
    const tag = Number(readVarint());
    const no = tag >>> 3, wire = tag & 7;
    if (no === 0) throw new Error("field number 0");
    if (wire === 0) out.push({ no, wire, value: readVarint() });
    else if (wire === 2) out.push({ no, wire, value: take(Number(readVarint())) });
    else if (wire === 1) out.push({ no, wire, value: take(8) });
    else if (wire === 5) out.push({ no, wire, value: take(4) });
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}
