-- Kestrel Mail production schema (SQLite-compatible). All timestamps are INTEGER epoch seconds (UTC).
CREATE TABLE organizations (
  org_id            TEXT PRIMARY KEY,            -- org_ + 8 digits
  display_name      TEXT NOT NULL,
  tier              TEXT NOT NULL CHECK (tier IN ('free','starter','growth','scale')),
  daily_send_limit  INTEGER NOT NULL,
  status            TEXT NOT NULL,               -- active | suspended
  created_epoch     INTEGER NOT NULL
);

CREATE TABLE org_members (
  member_id      TEXT PRIMARY KEY,               -- mbr_ + 10 hex
  org_id         TEXT NOT NULL REFERENCES organizations(org_id),
  email          TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('owner','admin','developer','billing','viewer')),
  status         TEXT NOT NULL,                  -- active | invited
  invited_epoch  INTEGER NOT NULL
);
CREATE INDEX idx_members_email ON org_members(email);
CREATE INDEX idx_members_org ON org_members(org_id);

CREATE TABLE sending_domains (
  domain_id       TEXT PRIMARY KEY,
  org_id          TEXT NOT NULL REFERENCES organizations(org_id),
  hostname        TEXT NOT NULL,
  spf_status      TEXT NOT NULL CHECK (spf_status IN ('verified','pending','failed')),
  dkim_status     TEXT NOT NULL CHECK (dkim_status IN ('verified','pending','failed')),
  verified_epoch  INTEGER,                       -- first successful verification
  updated_epoch   INTEGER NOT NULL               -- last status change
);
CREATE INDEX idx_domains_org ON sending_domains(org_id);
CREATE INDEX idx_domains_host ON sending_domains(hostname);

CREATE TABLE api_credentials (
  key_id          TEXT PRIMARY KEY,              -- key_ + 8 lowercase alnum
  org_id          TEXT NOT NULL REFERENCES organizations(org_id),
  display_prefix  TEXT NOT NULL,                 -- km_live_ + first 6 chars of the secret
  scopes          TEXT NOT NULL,                 -- JSON array, e.g. ["send","read"]
  state           TEXT NOT NULL CHECK (state IN ('active','revoked','expired')),
  created_epoch   INTEGER NOT NULL,
  revoked_epoch   INTEGER,                       -- revocation or expiry time
  revoked_by      TEXT                           -- member email; NULL for expiry
);
CREATE INDEX idx_keys_org ON api_credentials(org_id);
CREATE INDEX idx_keys_prefix ON api_credentials(display_prefix);

CREATE TABLE api_request_log (
  request_ref    TEXT PRIMARY KEY,               -- req_ + 16 hex
  org_id         TEXT NOT NULL,
  at             INTEGER NOT NULL,
  verb           TEXT NOT NULL,
  path           TEXT NOT NULL,
  http_status    INTEGER NOT NULL,
  response_body  TEXT,                           -- JSON error body for 4xx/5xx, NULL on success
  key_prefix     TEXT,
  duration_ms    INTEGER
);
CREATE INDEX idx_reqlog_org_at ON api_request_log(org_id, at);
CREATE INDEX idx_reqlog_status ON api_request_log(http_status, at);

CREATE TABLE message_events (
  event_ref      TEXT PRIMARY KEY,
  org_id         TEXT NOT NULL,
  message_id     TEXT NOT NULL,                  -- ULID
  at             INTEGER NOT NULL,
  event          TEXT NOT NULL CHECK (event IN ('accepted','sent','delivered','deferred','bounced','dropped','complained')),
  recipient      TEXT NOT NULL,
  reason         TEXT,                           -- suppressed, hard_bounce, mailbox_full, warmup_throttled, greylisted, ...
  provider       TEXT,                           -- gmail | outlook | yahoo | icloud | other
  smtp_response  TEXT
);
CREATE INDEX idx_events_org_at ON message_events(org_id, at);
CREATE INDEX idx_events_msg ON message_events(message_id);
CREATE INDEX idx_events_rcpt ON message_events(recipient);

CREATE TABLE suppressions (
  org_id          TEXT NOT NULL,
  address         TEXT NOT NULL,
  reason          TEXT NOT NULL CHECK (reason IN ('hard_bounce','complaint','manual','unsubscribe')),
  created_epoch   INTEGER NOT NULL,
  source_message  TEXT,
  PRIMARY KEY (org_id, address)
);

CREATE TABLE webhook_endpoints (
  webhook_id            TEXT PRIMARY KEY,        -- wh_ + 10 lowercase alnum
  org_id                TEXT NOT NULL,
  url                   TEXT NOT NULL,
  state                 TEXT NOT NULL,           -- active | disabled
  disabled_reason       TEXT,
  consecutive_failures  INTEGER NOT NULL DEFAULT 0,
  updated_epoch         INTEGER NOT NULL
);

CREATE TABLE webhook_attempts (
  attempt_id     TEXT PRIMARY KEY,
  webhook_id     TEXT NOT NULL,
  org_id         TEXT NOT NULL,
  at             INTEGER NOT NULL,
  event_type     TEXT NOT NULL,
  response_code  INTEGER NOT NULL,               -- 0 = timeout
  latency_ms     INTEGER
);
CREATE INDEX idx_wh_attempts ON webhook_attempts(webhook_id, at);

CREATE TABLE audit_events (
  audit_id     TEXT PRIMARY KEY,
  org_id       TEXT NOT NULL,
  at           INTEGER NOT NULL,
  actor_email  TEXT NOT NULL,                    -- member email or 'system'
  action       TEXT NOT NULL,
  target       TEXT,
  old_value    TEXT,
  new_value    TEXT
);
CREATE INDEX idx_audit_org_at ON audit_events(org_id, at);

CREATE TABLE platform_releases (
  release_id  TEXT PRIMARY KEY,
  at          INTEGER NOT NULL,
  component   TEXT NOT NULL,
  version     TEXT NOT NULL,
  summary     TEXT
);

CREATE TABLE help_articles (
  slug   TEXT PRIMARY KEY,
  title  TEXT NOT NULL,
  body   TEXT NOT NULL
);
