-- Follow-ups keep an incident: one whose review left follow-up actions open is not archived
-- (it stays in the queue, and can be changed) however long ago it was resolved.
ALTER TABLE incidents ADD COLUMN follows_up boolean NOT NULL DEFAULT false;
UPDATE incidents SET follows_up = true
WHERE jsonb_path_exists(state, '$.follow_ups[*] ? (!(exists(@.done_at)) || @.done_at == null)');
CREATE INDEX incidents_following_up ON incidents (number) WHERE follows_up;
