export { createSecretBox, type SecretBox } from "./cipher.js";
export { loadSecretKey } from "./key.js";
