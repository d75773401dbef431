-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Cluster" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "tokenLabels" TEXT NOT NULL DEFAULT '{}',
    "agentLabels" TEXT NOT NULL DEFAULT '{}',
    "adminLabels" TEXT NOT NULL DEFAULT '{}',
    "namespaces" TEXT NOT NULL DEFAULT '[]',
    "credentialHash" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'Pending',
    "approved" BOOLEAN NOT NULL DEFAULT false,
    "agentVersion" TEXT NOT NULL DEFAULT '',
    "kubernetesVersion" TEXT NOT NULL DEFAULT '',
    "lastHeartbeat" DATETIME,
    "registeredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tokenId" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "generationAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "hub" TEXT NOT NULL DEFAULT ''
);
INSERT INTO "new_Cluster" ("adminLabels", "agentLabels", "agentVersion", "approved", "credentialHash", "generation", "hub", "id", "kubernetesVersion", "lastHeartbeat", "name", "namespaces", "registeredAt", "state", "tokenId", "tokenLabels") SELECT "adminLabels", "agentLabels", "agentVersion", "approved", "credentialHash", "generation", "hub", "id", "kubernetesVersion", "lastHeartbeat", "name", "namespaces", "registeredAt", "state", "tokenId", "tokenLabels" FROM "Cluster";
DROP TABLE "Cluster";
ALTER TABLE "new_Cluster" RENAME TO "Cluster";
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");
CREATE UNIQUE INDEX "Cluster_credentialHash_key" ON "Cluster"("credentialHash");
CREATE INDEX "Cluster_state_idx" ON "Cluster"("state");
CREATE INDEX "Cluster_hub_generationAt_idx" ON "Cluster"("hub", "generationAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

