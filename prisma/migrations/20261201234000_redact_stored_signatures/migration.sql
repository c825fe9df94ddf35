-- Attempts recorded before signatures were redacted: keep each signature's scheme only (see
-- `redactedSignatures` in src/delivery/signing.ts), so no stored attempt lets its secret be guessed offline.
UPDATE "delivery_attempts"
SET "request_headers" = "request_headers"
  || CASE WHEN "request_headers"->>'x-webhook-signature' IS NOT NULL
       THEN jsonb_build_object('x-webhook-signature', '[redacted]') ELSE '{}'::jsonb END
  || CASE WHEN "request_headers"->>'webhook-signature' IS NOT NULL
       THEN jsonb_build_object('webhook-signature',
              regexp_replace("request_headers"->>'webhook-signature', '([^ ,]+),[^ ]+', '\1,[redacted]', 'g'))
       ELSE '{}'::jsonb END
WHERE "request_headers"->>'x-webhook-signature' IS NOT NULL OR "request_headers"->>'webhook-signature' IS NOT NULL;
