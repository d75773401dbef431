// Encryption at rest for what the hub must read back (Source credentials): AES-GCM under the hub key.
export { createSecretBox, type SecretBox } from "./cipher.js";
export { loadSecretKey } from "./key.js";
