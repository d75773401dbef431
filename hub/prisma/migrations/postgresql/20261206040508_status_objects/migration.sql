-- CreateTable
CREATE TABLE "StatusObjects" (
    "digest" TEXT NOT NULL,
    "objects" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StatusObjects_pkey" PRIMARY KEY ("digest")
);

-- Each status's objects move to a row of their own, under a digest SQL can compute (reports from
-- now on use their content's digest, and retention removes these once no status names them).
INSERT INTO "StatusObjects" ("digest", "objects", "seenAt")
SELECT 'row:' || "clusterName" || '/' || "app", "objects", CURRENT_TIMESTAMP AT TIME ZONE 'UTC' FROM "AppStatus" WHERE "objects" <> '[]';

-- AlterTable
ALTER TABLE "AppStatus" ADD COLUMN     "objectsDigest" TEXT NOT NULL DEFAULT '';
UPDATE "AppStatus" SET "objectsDigest" = 'row:' || "clusterName" || '/' || "app" WHERE "objects" <> '[]';
ALTER TABLE "AppStatus" DROP COLUMN "objects";
