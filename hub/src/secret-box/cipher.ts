import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Seals secrets with AES-256-GCM; the context (e.g. a Source name) binds a blob to its row. */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(blob: string, context: string): string;
}

const VERSION = "v1";
const IV = 12;
const TAG = 16;

export function createSecretBox(key: Buffer): SecretBox {
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV);
      const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    open(blob, context) {
      const [version, data = ""] = blob.split(".", 2);
      if (version !== VERSION) throw new Error(`unknown secret format "${version}"`);
      const raw = Buffer.from(data, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV)).setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(IV, IV + TAG));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV + TAG)), decipher.final()]).toString("utf8");
      } catch {
        throw new Error("cannot decrypt a stored secret: wrong GITFLEET_SECRET_KEY or secret-key file?");
      }
    },
  };
}
