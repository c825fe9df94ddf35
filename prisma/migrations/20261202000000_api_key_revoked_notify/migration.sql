-- A revoked (or deleted) API key is announced in the revoking transaction, whatever revokes it (the CLI writes the
-- table directly, perhaps from another machine): every API process LISTENs on the live channel of the topic
-- 'api-keys:revoked' (src/auth/access.ts) and ends that key's graphql-ws sockets and SSE streams. The channel is
-- named as `channelFor` in src/live/pg-event-target.ts names it; the payload is the key's id as a JSON string.
CREATE FUNCTION "api_key_revoked_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(
    'live_' || left(encode(sha256(convert_to('api-keys:revoked', 'UTF8')), 'hex'), 40),
    to_json(OLD."id")::text
  );
  RETURN NULL;
END
$$;

CREATE TRIGGER "api_keys_revoked"
AFTER UPDATE OF "revoked_at" ON "api_keys"
FOR EACH ROW WHEN (OLD."revoked_at" IS NULL AND NEW."revoked_at" IS NOT NULL)
EXECUTE FUNCTION "api_key_revoked_notify"();

CREATE TRIGGER "api_keys_deleted"
AFTER DELETE ON "api_keys"
FOR EACH ROW WHEN (OLD."revoked_at" IS NULL)
EXECUTE FUNCTION "api_key_revoked_notify"();
