-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Source" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "spec" TEXT NOT NULL,
    "credentials" TEXT,
    "lastRevision" TEXT,
    "lastFetchedAt" DATETIME,
    "lastError" TEXT,
    "origin" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Source" ("createdAt", "credentials", "lastError", "lastFetchedAt", "lastRevision", "name", "spec", "updatedAt") SELECT "createdAt", "credentials", "lastError", "lastFetchedAt", "lastRevision", "name", "spec", "updatedAt" FROM "Source";
DROP TABLE "Source";
ALTER TABLE "new_Source" RENAME TO "Source";
CREATE TABLE "new_App" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "spec" TEXT NOT NULL,
    "pinnedRevision" TEXT,
    "revision" TEXT,
    "lastError" TEXT,
    "lastErrorRevision" TEXT,
    "origin" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_App" ("createdAt", "lastError", "lastErrorRevision", "name", "pinnedRevision", "revision", "spec", "updatedAt") SELECT "createdAt", "lastError", "lastErrorRevision", "name", "pinnedRevision", "revision", "spec", "updatedAt" FROM "App";
DROP TABLE "App";
ALTER TABLE "new_App" RENAME TO "App";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

