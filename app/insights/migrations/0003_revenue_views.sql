-- The views a video's revenue was earned on. YouTube Analytics reports
-- revenue a few days behind the public view count, so the two differ for
-- a synced video; 0 means the video's views (a Studio export's columns
-- cover the same period).
ALTER TABLE insights_videos ADD COLUMN revenue_views INTEGER NOT NULL DEFAULT 0;
