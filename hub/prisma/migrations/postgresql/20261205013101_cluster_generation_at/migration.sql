-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "generationAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "Cluster_hub_generationAt_idx" ON "Cluster"("hub", "generationAt");

