-- CreateTable
CREATE TABLE "Notifier" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "spec" TEXT NOT NULL,
    "secret" TEXT,
    "origin" TEXT NOT NULL DEFAULT '',
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "lastAttemptAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

