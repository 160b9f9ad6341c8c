-- plumb serve, first schema. Times are Unix milliseconds (0: not set).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE targets (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    host        TEXT NOT NULL,
    spec        TEXT NOT NULL DEFAULT '',
    options     TEXT NOT NULL DEFAULT '{}',
    credentials BLOB,
    schedule    TEXT NOT NULL DEFAULT '',
    next_run_at INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX targets_due ON targets (next_run_at) WHERE schedule <> '';

CREATE TABLE scans (
    id          TEXT PRIMARY KEY,
    target_id   TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    cause       TEXT NOT NULL,
    status      TEXT NOT NULL,
    job_id      INTEGER NOT NULL DEFAULT 0,
    attempt     INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    started_at  INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    score       INTEGER NOT NULL DEFAULT 0,
    grade       TEXT NOT NULL DEFAULT '',
    critical    INTEGER NOT NULL DEFAULT 0,
    high        INTEGER NOT NULL DEFAULT 0,
    findings    INTEGER NOT NULL DEFAULT 0,
    requests    INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    report      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scans_target ON scans (target_id, created_at);
CREATE INDEX scans_status ON scans (status);

CREATE TABLE host_locks (
    host       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE dns_watches (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    names       TEXT NOT NULL,
    schedule    TEXT NOT NULL,
    options     TEXT NOT NULL DEFAULT '{}',
    next_run_at INTEGER NOT NULL DEFAULT 0,
    last_run_at INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    runs        INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX dns_watches_due ON dns_watches (next_run_at);

CREATE TABLE dns_names (
    watch_id   TEXT NOT NULL REFERENCES dns_watches(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    service    TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '',
    result     TEXT NOT NULL DEFAULT '',
    checked_at INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (watch_id, name)
);

CREATE TABLE dns_changes (
    id          TEXT PRIMARY KEY,
    watch_id    TEXT NOT NULL REFERENCES dns_watches(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    from_summary TEXT NOT NULL DEFAULT '',
    to_summary  TEXT NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
);
CREATE INDEX dns_changes_watch ON dns_changes (watch_id, at);

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     BLOB NOT NULL,
    events     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    last_attempt_at INTEGER NOT NULL DEFAULT 0,
    delivered_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, created_at);
