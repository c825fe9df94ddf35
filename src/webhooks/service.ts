// Webhook management for one project. Every query is scoped by project id, so another project's webhook is
// indistinguishable from one that does not exist.
import type { Db } from '../db/prisma.js';
import type { Webhook } from '../generated/prisma/client.js';
import type { DestinationPolicy } from '../delivery/sending/destination-policy.js';
import { NotFoundError } from '../lib/errors.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { newId } from '../lib/ids.js';
import { generateWebhookSecret } from './secrets.js';
import { validateDescription, validateEvents, validateGracePeriod, validateSecret, validateUrl } from './validation.js';

export type WebhookPolicy = { allowHttp: boolean; destinations: DestinationPolicy };

export type CreateWebhookInput = { url: string; events: string[]; secret?: string | null; description?: string | null };
export type UpdateWebhookInput = { url?: string | null; events?: string[] | null; description?: string | null };

export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly policy: WebhookPolicy,
    /** Secrets are stored sealed; the plaintext leaves only through create and rotate. */
    private readonly secrets: SecretBox,
  ) {}

  async create(projectId: string, input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    const secret = input.secret == null ? generateWebhookSecret() : validateSecret(input.secret);
    const webhook = await this.db.webhook.create({
      data: {
        id: newId('wh'),
        projectId,
        url: validateUrl(input.url, this.policy),
        events: validateEvents(input.events),
        description: input.description == null ? null : validateDescription(input.description),
        secret: this.secrets.seal(secret),
      },
    });
    return { webhook, secret };
  }

  async get(projectId: string, id: string): Promise<Webhook> {
    const webhook = await this.db.webhook.findFirst({ where: { id, projectId } });
    if (!webhook) throw new NotFoundError(`No webhook with id ${id}`);
    return webhook;
  }

  async update(projectId: string, id: string, input: UpdateWebhookInput): Promise<Webhook> {
    const data = {
      ...(input.url != null && { url: validateUrl(input.url, this.policy) }),
      ...(input.events != null && { events: validateEvents(input.events) }),
      ...(input.description !== undefined && {
        description: input.description === null ? null : validateDescription(input.description),
      }),
    };
    return this.updateScoped(projectId, id, data);
  }

  async delete(projectId: string, id: string): Promise<Webhook> {
    const webhook = await this.get(projectId, id);
    await this.db.webhook.deleteMany({ where: { id, projectId } });
    return webhook;
  }

  enable(projectId: string, id: string): Promise<Webhook> {
    return this.updateScoped(projectId, id, { status: 'ACTIVE', disabledReason: null, disabledAt: null });
  }

  disable(projectId: string, id: string, reason = 'Disabled by hand'): Promise<Webhook> {
    return this.updateScoped(projectId, id, { status: 'DISABLED', disabledReason: reason, disabledAt: new Date() });
  }

  /** A new secret; the old one stays valid (signed alongside) until `gracePeriodSeconds` have passed. */
  async rotateSecret(
    projectId: string,
    id: string,
    gracePeriodSeconds = 86_400,
  ): Promise<{ webhook: Webhook; secret: string }> {
    validateGracePeriod(gracePeriodSeconds);
    const current = await this.get(projectId, id);
    const secret = generateWebhookSecret();
    const webhook = await this.updateScoped(projectId, id, {
      secret: this.secrets.seal(secret),
      previousSecret: gracePeriodSeconds > 0 ? current.secret : null,
      previousSecretExpiresAt: gracePeriodSeconds > 0 ? new Date(Date.now() + gracePeriodSeconds * 1000) : null,
    });
    return { webhook, secret };
  }

  private async updateScoped(projectId: string, id: string, data: Parameters<Db['webhook']['update']>[0]['data']) {
    const { count } = await this.db.webhook.updateMany({ where: { id, projectId }, data });
    if (count === 0) throw new NotFoundError(`No webhook with id ${id}`);
    return this.get(projectId, id);
  }
}
