-- CreateTable
CREATE TABLE "Rollout" (
    "app" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fromRevision" TEXT NOT NULL DEFAULT '',
    "toRevision" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "stage" INTEGER NOT NULL DEFAULT 0,
    "approvedStage" INTEGER NOT NULL DEFAULT -1,
    "stageDoneAt" TIMESTAMP(3),
    "reason" TEXT NOT NULL DEFAULT '',
    "startedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Rollout_pkey" PRIMARY KEY ("app")
);

-- CreateTable
CREATE TABLE "RolloutCluster" (
    "app" TEXT NOT NULL,
    "clusterName" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "stage" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "message" TEXT NOT NULL DEFAULT '',
    "prevTarget" TEXT,
    "prevRevision" TEXT,
    "prevDigest" TEXT,

    CONSTRAINT "RolloutCluster_pkey" PRIMARY KEY ("app","clusterName")
);

