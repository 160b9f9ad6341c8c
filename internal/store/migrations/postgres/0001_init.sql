-- plumb serve, first schema. Times are Unix milliseconds (0: not set).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE targets (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    host        TEXT NOT NULL,
    spec        TEXT NOT NULL DEFAULT '',
    options     TEXT NOT NULL DEFAULT '{}',
    credentials BYTEA,
    schedule    TEXT NOT NULL DEFAULT '',
    next_run_at BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX targets_due ON targets (next_run_at) WHERE schedule <> '';

CREATE TABLE scans (
    id          TEXT PRIMARY KEY,
    target_id   TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    cause       TEXT NOT NULL,
    status      TEXT NOT NULL,
    job_id      BIGINT NOT NULL DEFAULT 0,
    attempt     BIGINT NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    started_at  BIGINT NOT NULL DEFAULT 0,
    finished_at BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    score       BIGINT NOT NULL DEFAULT 0,
    grade       TEXT NOT NULL DEFAULT '',
    critical    BIGINT NOT NULL DEFAULT 0,
    high        BIGINT NOT NULL DEFAULT 0,
    findings    BIGINT NOT NULL DEFAULT 0,
    requests    BIGINT NOT NULL DEFAULT 0,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    report      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scans_target ON scans (target_id, created_at);
CREATE INDEX scans_status ON scans (status);

CREATE TABLE host_locks (
    host       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE dns_watches (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    names       TEXT NOT NULL,
    schedule    TEXT NOT NULL,
    options     TEXT NOT NULL DEFAULT '{}',
    next_run_at BIGINT NOT NULL DEFAULT 0,
    last_run_at BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    runs        BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX dns_watches_due ON dns_watches (next_run_at);

CREATE TABLE dns_names (
    watch_id   TEXT NOT NULL REFERENCES dns_watches(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    service    TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '',
    result     TEXT NOT NULL DEFAULT '',
    checked_at BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
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
    at          BIGINT NOT NULL
);
CREATE INDEX dns_changes_watch ON dns_changes (watch_id, at);

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     BYTEA NOT NULL,
    events     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    response_status BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    last_attempt_at BIGINT NOT NULL DEFAULT 0,
    delivered_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, created_at);
