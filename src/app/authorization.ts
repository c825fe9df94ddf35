// What a credential may do: its scopes. Every use case names the scope it needs, and the application services check
// it here, once, whatever the transport (`authorize`). A platform key may do everything, in every project.
import type { Principal } from '../auth/api-keys.js';
import { ForbiddenError, ValidationError } from './errors.js';

/** The scopes of a project, each a family of use cases. */
export const PROJECT_SCOPES = [
  'webhooks:read',
  'webhooks:write',
  'events:publish',
  'deliveries:read',
  'deliveries:write',
  'jobs:read',
] as const;

/** Every scope: a project's, and `platform` (projects, keys, and acting in any project). */
export const SCOPES = [...PROJECT_SCOPES, 'platform'] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/** Whether the principal holds the scope (a platform key holds them all). */
export const holds = (principal: Principal, scope: Scope): boolean =>
  principal.scopes.includes(scope) || principal.scopes.includes('platform');

/** Raises ForbiddenError unless the principal holds the scope; `action` says what was attempted ("Publishing an event"). */
export function authorize(principal: Principal, scope: Scope, action: string): void {
  if (!holds(principal, scope)) throw new ForbiddenError(`${action} needs the scope ${scope}`, scope);
}

/**
 * Relations a GraphQL selection may follow from a row an operation already returned, and the scope each needs. A
 * relation is read without asking a service (Pothos loads it with its parent), so the scope is decided here instead,
 * once: an event is reached by `jobs:read` (a job's last event, a job's events) and `events:publish` (the event just
 * published) too, and its deliveries must not show to a key without `deliveries:read`.
 *
 * Decided deliberately, and not listed: a delivery's `event`, `webhook` and `attempts` follow the delivery. They are
 * parts of one delivery record (the payload it carries, where it went, what each attempt sent and got), and a delivery
 * is shown only by `deliveries:read` operations, or as the result of a write on it (`retryDelivery` needs
 * `deliveries:write`, `testWebhook` `webhooks:write`): whoever may see the delivery sees all of it.
 */
export const RELATION_SCOPES = {
  'Event.deliveries': { scope: 'deliveries:read', action: "Reading an event's deliveries" },
} as const satisfies Record<string, { scope: Scope; action: string }>;
export type Relation = keyof typeof RELATION_SCOPES;

/** Whether the principal may follow the relation (so a read loads it only then). */
export const mayFollow = (principal: Principal, relation: Relation): boolean =>
  holds(principal, RELATION_SCOPES[relation].scope);

/** Raises ForbiddenError unless the principal may follow the relation; returns what the relation loaded. */
export function followed<T>(principal: Principal, relation: Relation, loaded: T): T {
  const { scope, action } = RELATION_SCOPES[relation];
  authorize(principal, scope, action);
  return loaded;
}

/** The scopes asked for a new credential: each known (ValidationError naming `field`), without repeats. */
export function validateScopes(scopes: readonly string[], field = 'scopes'): Scope[] {
  const unknown = scopes.find((scope) => !isScope(scope));
  if (unknown !== undefined) {
    throw new ValidationError(field, (f) => `${f}: unknown scope ${JSON.stringify(unknown)}; known scopes are ${SCOPES.join(', ')}`);
  }
  if (scopes.length === 0) throw new ValidationError(field, (f) => `${f} must name at least one scope`);
  return [...new Set(scopes as readonly Scope[])];
}

/**
 * Raises ForbiddenError unless the principal holds every scope it would grant (a key may only hand on its own);
 * `action` says what granting it is (`Putting the scope jobs:read in a token` … needs the scope jobs:read).
 */
export function authorizeGrant(principal: Principal, scopes: readonly Scope[], action?: (scope: Scope) => string): void {
  const missing = scopes.find((scope) => !holds(principal, scope));
  if (!missing) return;
  if (action) authorize(principal, missing, action(missing));
  throw new ForbiddenError(`Granting the scope ${missing} needs a key that holds it`, missing);
}
