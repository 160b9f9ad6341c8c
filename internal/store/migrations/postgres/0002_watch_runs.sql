-- One row per run of a DNS watch: when it ran, how it ended, the audit's
-- notices (resolvers dropped, resolution from the root servers) and the
-- status counts. The worker keeps the latest runs of each watch.
CREATE TABLE dns_watch_runs (
    id       TEXT PRIMARY KEY,
    watch_id TEXT NOT NULL REFERENCES dns_watches(id) ON DELETE CASCADE,
    at       BIGINT NOT NULL,
    error    TEXT NOT NULL DEFAULT '',
    notices  TEXT NOT NULL DEFAULT '[]',
    statuses TEXT NOT NULL DEFAULT '{}',
    changes  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX dns_watch_runs_watch ON dns_watch_runs (watch_id, id);
