import { create, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";

/**
 * A grpc-js serializer that encodes each message object once: a push hands thousands of streams
 * the same AssignmentSet object (assign/assignments.ts), and each stream is written the same bytes.
 * Messages are never changed once written, so an object's bytes stay its bytes.
 */
export function encodeOnce<S extends DescMessage>(schema: S): (value: MessageInitShape<S>) => Buffer {
  const encoded = new WeakMap<object, Buffer>();
  return (value) => {
    let bytes = encoded.get(value);
    if (!bytes) {
      const binary = toBinary(schema, create(schema, value));
      bytes = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength);
      encoded.set(value, bytes);
    }
    return bytes;
  };
}
