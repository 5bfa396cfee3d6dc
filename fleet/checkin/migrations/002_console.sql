-- The web console (fleet/console/): administrators, their sessions, the audit
-- log, device groups, image versions and policies known to IT, rollouts.
-- Devices keep the earliest lease of their latest verified report, written by
-- the check-in service; the report itself is the one numbered last_seq.
CREATE TABLE admins (
	id           bigserial PRIMARY KEY,
	name         text NOT NULL UNIQUE,
	pwhash       text NOT NULL,              -- libsodium crypto_pwhash_str (Argon2id)
	created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sessions (
	token_sha256 text PRIMARY KEY,           -- hex SHA-256 of the cookie; the token itself is never stored
	admin_id     bigint NOT NULL REFERENCES admins (id),
	csrf         text NOT NULL,              -- 64 hex digits, sent in every form of this session
	created_at   timestamptz NOT NULL DEFAULT now(),
	expires_at   timestamptz NOT NULL
);
CREATE TABLE audit_log (
	id           bigserial PRIMARY KEY,
	at           timestamptz NOT NULL DEFAULT now(),
	admin        text NOT NULL,
	action       text NOT NULL,
	detail       text NOT NULL
);
CREATE TABLE device_groups (
	id           bigserial PRIMARY KEY,
	name         text NOT NULL UNIQUE,
	created_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE devices
	ADD COLUMN group_id      bigint REFERENCES device_groups (id),
	ADD COLUMN lease_expires timestamptz;       -- the earliest lease in the latest report
CREATE TABLE image_versions (
	image        text NOT NULL,
	version      bigint NOT NULL,
	note         text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (image, version)
);
CREATE TABLE policies (
	name         text PRIMARY KEY,           -- the policy target's name in the repository
	vm_role      text NOT NULL,
	lease_days   integer NOT NULL CHECK (lease_days BETWEEN 1 AND 3650),
	created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rollouts (
	id           bigserial PRIMARY KEY,
	group_id     bigint NOT NULL REFERENCES device_groups (id),
	image        text NOT NULL,
	version      bigint NOT NULL,
	policy       text NOT NULL REFERENCES policies (name),
	percent      integer NOT NULL CHECK (percent BETWEEN 0 AND 100),
	state        text NOT NULL CHECK (state IN ('ready', 'running', 'paused')),
	created_at   timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (image, version) REFERENCES image_versions (image, version)
);
-- The devices a rollout has reached so far: only ever grows, so raising the
-- percentage keeps the devices of the earlier stages.
CREATE TABLE rollout_targets (
	rollout_id   bigint NOT NULL REFERENCES rollouts (id),
	device_id    bigint NOT NULL REFERENCES devices (id),
	added_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (rollout_id, device_id)
);
CREATE INDEX rollout_targets_device ON rollout_targets (device_id);
CREATE INDEX devices_group ON devices (group_id);
-- A device as the console shows it. Health, first match wins: revoked; never
-- checked in; lease expired (its earliest policy lease is past); offline (no
-- check-in for a day); lease expiring (within two days); ok.
CREATE VIEW device_status AS
SELECT d.id, d.name, d.group_id, g.name AS group_name, d.enrolled_at, d.revoked_at, d.last_checkin,
       d.lease_expires, r.report AS last_report,
       CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked'
            WHEN d.last_checkin IS NULL THEN 'never checked in'
            WHEN d.lease_expires IS NOT NULL AND d.lease_expires < now() THEN 'lease expired'
            WHEN d.last_checkin < now() - interval '1 day' THEN 'offline'
            WHEN d.lease_expires IS NOT NULL AND d.lease_expires < now() + interval '2 days' THEN 'lease expiring'
            ELSE 'ok' END AS health
FROM devices d LEFT JOIN device_groups g ON g.id = d.group_id
     LEFT JOIN reports r ON r.device_id = d.id AND r.seq = d.last_seq;
