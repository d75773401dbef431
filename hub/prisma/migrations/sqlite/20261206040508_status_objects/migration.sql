-- CreateTable
CREATE TABLE "StatusObjects" (
    "digest" TEXT NOT NULL PRIMARY KEY,
    "objects" TEXT NOT NULL,
    "seenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Each status's objects move to a row of their own, under a digest SQL can compute (reports from
-- now on use their content's digest, and retention removes these once no status names them).
-- seenAt as the driver adapter writes dates (ISO 8601), so that retention compares like with like.
INSERT INTO "StatusObjects" ("digest", "objects", "seenAt")
SELECT 'row:' || "clusterName" || '/' || "app", "objects", strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') FROM "AppStatus" WHERE "objects" <> '[]';

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AppStatus" (
    "clusterName" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "revision" TEXT NOT NULL,
    "bundleDigest" TEXT NOT NULL,
    "sync" TEXT NOT NULL,
    "health" TEXT NOT NULL,
    "objectsDigest" TEXT NOT NULL DEFAULT '',
    "message" TEXT NOT NULL DEFAULT '',
    "observedAt" DATETIME NOT NULL,

    PRIMARY KEY ("clusterName", "app")
);
INSERT INTO "new_AppStatus" ("app", "bundleDigest", "clusterName", "health", "message", "observedAt", "revision", "sync", "objectsDigest") SELECT "app", "bundleDigest", "clusterName", "health", "message", "observedAt", "revision", "sync", CASE WHEN "objects" <> '[]' THEN 'row:' || "clusterName" || '/' || "app" ELSE '' END FROM "AppStatus";
DROP TABLE "AppStatus";
ALTER TABLE "new_AppStatus" RENAME TO "AppStatus";
CREATE INDEX "AppStatus_app_idx" ON "AppStatus"("app");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
