-- CreateTable
CREATE TABLE "Rollout" (
    "app" TEXT NOT NULL PRIMARY KEY,
    "key" TEXT NOT NULL,
    "fromRevision" TEXT NOT NULL DEFAULT '',
    "toRevision" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "stage" INTEGER NOT NULL DEFAULT 0,
    "approvedStage" INTEGER NOT NULL DEFAULT -1,
    "stageDoneAt" DATETIME,
    "reason" TEXT NOT NULL DEFAULT '',
    "startedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RolloutCluster" (
    "app" TEXT NOT NULL,
    "clusterName" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "stage" INTEGER NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "message" TEXT NOT NULL DEFAULT '',
    "prevTarget" TEXT,
    "prevRevision" TEXT,
    "prevDigest" TEXT,

    PRIMARY KEY ("app", "clusterName")
);

