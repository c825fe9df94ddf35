-- CreateEnum
CREATE TYPE "job_type" AS ENUM ('OPTIMIZATION', 'VISION', 'BATCH', 'TRAINING', 'INFERENCE', 'MODEL');

-- CreateEnum
CREATE TYPE "job_status" AS ENUM ('SUBMITTED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'DEPLOYED', 'UPDATED', 'DEPRECATED');

-- AlterTable
ALTER TABLE "events" ADD COLUMN     "job_seq" INTEGER;

-- CreateTable
CREATE TABLE "job_states" (
    "project_id" TEXT NOT NULL,
    "job_id" TEXT NOT NULL,
    "type" "job_type" NOT NULL,
    "status" "job_status" NOT NULL,
    "seq" INTEGER NOT NULL,
    "last_event_id" TEXT NOT NULL,
    "last_event_type" TEXT NOT NULL,
    "total_images" INTEGER,
    "processed_images" INTEGER,
    "failed_images" INTEGER,
    "progress_percent" DOUBLE PRECISION,
    "round" INTEGER,
    "total_rounds" INTEGER,
    "accuracy" DOUBLE PRECISION,
    "loss" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "job_states_pkey" PRIMARY KEY ("project_id","job_id")
);

-- CreateIndex
CREATE INDEX "events_project_id_job_id_job_seq_idx" ON "events"("project_id", "job_id", "job_seq");

-- AddForeignKey
ALTER TABLE "job_states" ADD CONSTRAINT "job_states_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
