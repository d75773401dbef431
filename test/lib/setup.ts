// Vitest setup for every test file: whatever a file started is stopped when it ends, and a binary
// that needed SIGKILL (or failed) on SIGTERM fails the file.
import { afterAll } from "vitest";
import { releaseAll } from "./cleanup.js";
import { stopAll } from "./processes.js";

afterAll(async () => {
  const stopped = await stopAll().then(() => undefined, (err: Error) => err);
  await releaseAll();
  if (stopped) throw stopped;
});
