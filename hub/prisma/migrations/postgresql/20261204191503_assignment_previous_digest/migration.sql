-- AlterTable
ALTER TABLE "Assignment" ADD COLUMN     "previousDigest" TEXT NOT NULL DEFAULT '';

