-- CreateTable
CREATE TABLE "Notifier" (
    "name" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "secret" TEXT,
    "origin" TEXT NOT NULL DEFAULT '',
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "lastAttemptAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Notifier_pkey" PRIMARY KEY ("name")
);

