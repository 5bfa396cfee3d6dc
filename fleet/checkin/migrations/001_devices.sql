-- Devices, their one-time enrollment tokens and their signed check-in reports.
CREATE TABLE enroll_tokens (
	token_sha256 text PRIMARY KEY,           -- hex SHA-256 of the token; the token itself is never stored
	created_at   timestamptz NOT NULL DEFAULT now(),
	used_at      timestamptz
);
CREATE TABLE devices (
	id           bigserial PRIMARY KEY,
	pubkey       text NOT NULL UNIQUE,       -- hex ed25519 public key made on the device
	name         text NOT NULL,
	enrolled_at  timestamptz NOT NULL DEFAULT now(),
	revoked_at   timestamptz,
	last_seq     bigint NOT NULL DEFAULT 0,  -- highest report counter accepted (replay guard)
	last_checkin timestamptz
);
CREATE TABLE reports (
	device_id    bigint NOT NULL REFERENCES devices (id),
	seq          bigint NOT NULL,
	received_at  timestamptz NOT NULL DEFAULT now(),
	report       jsonb NOT NULL,             -- the "signed" part, as verified
	PRIMARY KEY (device_id, seq)
);
