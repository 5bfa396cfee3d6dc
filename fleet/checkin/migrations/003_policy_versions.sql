-- Policy versions: bulkhead-publish add --policy signs policy/<role>.json as
-- version 1, 2, ... (docs/fleet.md, "Policy documents"); IT registers each
-- published version here, and a rollout assigns an image version and a
-- policy version. Rollouts made before this migration keep a NULL
-- policy_version (the foreign key is not checked for them: MATCH SIMPLE).
CREATE TABLE policy_versions (
	policy       text NOT NULL REFERENCES policies (name),
	version      bigint NOT NULL CHECK (version >= 1),
	note         text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (policy, version)
);
ALTER TABLE rollouts
	ADD COLUMN policy_version bigint,
	ADD FOREIGN KEY (policy, policy_version) REFERENCES policy_versions (policy, version);
