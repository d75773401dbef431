export { agentOptions, ignoreFields, parseAppSpec, type AppSpec, type AppTarget, type IgnoreDifference } from "./app.js";
export { FieldError } from "./fields.js";
export { API_VERSION, parseDefinitions, type Definition, type DefinitionText } from "./parse.js";
export { gitCredentials, parseSourceDef, repoAuth, storedSourceSpec, type ParsedSource, type SourceSecrets } from "./source.js";
export { NOTIFY_EVENTS, parseNotifierDef, type NotifierSpec, type NotifyEvent } from "./notifier.js";
