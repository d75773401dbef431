import { readBuildInfo } from "@gitfleet/shared";

/** The agent's version and build commit; the version is reported to the hub. */
export const AGENT_BUILD = readBuildInfo(import.meta.url);
export const AGENT_VERSION: string = AGENT_BUILD.version;
