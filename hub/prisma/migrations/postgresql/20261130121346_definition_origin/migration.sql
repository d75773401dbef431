-- AlterTable
ALTER TABLE "Source" ADD COLUMN     "origin" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "App" ADD COLUMN     "origin" TEXT NOT NULL DEFAULT '';

