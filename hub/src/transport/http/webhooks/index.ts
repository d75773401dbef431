export { createWebhookRoute, HOOKS_PREFIX, type WebhookDeps, type WebhookResponse } from "./route.js";
export { verifyWebhook, type Provider } from "./verify.js";
