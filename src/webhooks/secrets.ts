import { randomBytes } from 'node:crypto';

/** A generated signing secret: `whsec_` + base64 of 24 random bytes (the Standard Webhooks form). */
export const generateWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
