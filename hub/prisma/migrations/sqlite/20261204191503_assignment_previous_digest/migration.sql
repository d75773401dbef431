-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Assignment" (
    "clusterName" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "revision" TEXT NOT NULL,
    "bundleDigest" TEXT NOT NULL,
    "previousDigest" TEXT NOT NULL DEFAULT '',
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("clusterName", "app")
);
INSERT INTO "new_Assignment" ("app", "bundleDigest", "clusterName", "revision", "target", "updatedAt") SELECT "app", "bundleDigest", "clusterName", "revision", "target", "updatedAt" FROM "Assignment";
DROP TABLE "Assignment";
ALTER TABLE "new_Assignment" RENAME TO "Assignment";
CREATE INDEX "Assignment_app_idx" ON "Assignment"("app");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

