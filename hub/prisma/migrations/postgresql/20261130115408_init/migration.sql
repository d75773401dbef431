-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Cluster" (
    "id" TEXT NOT NULL,
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
    "lastHeartbeat" TIMESTAMP(3),
    "registeredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tokenId" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClusterTombstone" (
    "credentialHash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "deletedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClusterTombstone_pkey" PRIMARY KEY ("credentialHash")
);

-- CreateTable
CREATE TABLE "Token" (
    "id" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "labels" TEXT NOT NULL DEFAULT '{}',
    "description" TEXT NOT NULL DEFAULT '',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "maxUses" INTEGER NOT NULL DEFAULT 0,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "revoked" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Source" (
    "name" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "credentials" TEXT,
    "lastRevision" TEXT,
    "lastFetchedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Source_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "Revision" (
    "id" TEXT NOT NULL,
    "sourceName" TEXT NOT NULL,
    "sha" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "committedAt" TIMESTAMP(3) NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Revision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "App" (
    "name" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "pinnedRevision" TEXT,
    "revision" TEXT,
    "lastError" TEXT,
    "lastErrorRevision" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "App_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "Bundle" (
    "digest" TEXT NOT NULL,
    "manifests" TEXT NOT NULL,
    "objects" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Bundle_pkey" PRIMARY KEY ("digest")
);

-- CreateTable
CREATE TABLE "Render" (
    "key" TEXT NOT NULL,
    "digest" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Render_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Assignment" (
    "clusterName" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "revision" TEXT NOT NULL,
    "bundleDigest" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Assignment_pkey" PRIMARY KEY ("clusterName","app")
);

-- CreateTable
CREATE TABLE "AppStatus" (
    "clusterName" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "revision" TEXT NOT NULL,
    "bundleDigest" TEXT NOT NULL,
    "sync" TEXT NOT NULL,
    "health" TEXT NOT NULL,
    "objects" TEXT NOT NULL DEFAULT '[]',
    "message" TEXT NOT NULL DEFAULT '',
    "observedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppStatus_pkey" PRIMARY KEY ("clusterName","app")
);

-- CreateTable
CREATE TABLE "DriftEvent" (
    "id" SERIAL NOT NULL,
    "clusterName" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "apiVersion" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL,
    "fields" TEXT NOT NULL DEFAULT '[]',
    "manager" TEXT NOT NULL DEFAULT '',
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "firstSeen" TIMESTAMP(3) NOT NULL,
    "healedAt" TIMESTAMP(3),
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "DriftEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_credentialHash_key" ON "Cluster"("credentialHash");

-- CreateIndex
CREATE INDEX "Cluster_state_idx" ON "Cluster"("state");

-- CreateIndex
CREATE UNIQUE INDEX "Token_secretHash_key" ON "Token"("secretHash");

-- CreateIndex
CREATE UNIQUE INDEX "Revision_sourceName_sha_key" ON "Revision"("sourceName", "sha");

-- CreateIndex
CREATE INDEX "Assignment_app_idx" ON "Assignment"("app");

-- CreateIndex
CREATE INDEX "AppStatus_app_idx" ON "AppStatus"("app");

-- CreateIndex
CREATE INDEX "DriftEvent_clusterName_app_idx" ON "DriftEvent"("clusterName", "app");

-- CreateIndex
CREATE INDEX "DriftEvent_firstSeen_idx" ON "DriftEvent"("firstSeen");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

