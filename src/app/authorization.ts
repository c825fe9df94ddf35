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

/** The scopes asked for a new credential: each known (ValidationError naming `field`), without repeats. */
export function validateScopes(scopes: readonly string[], field = 'scopes'): Scope[] {
  const unknown = scopes.find((scope) => !isScope(scope));
  if (unknown !== undefined) {
    throw new ValidationError(field, (f) => `${f}: unknown scope ${JSON.stringify(unknown)}; known scopes are ${SCOPES.join(', ')}`);
  }
  if (scopes.length === 0) throw new ValidationError(field, (f) => `${f} must name at least one scope`);
  return [...new Set(scopes as readonly Scope[])];
}

/** Raises ForbiddenError unless the principal holds every scope it would grant (a key may only hand on its own). */
export function authorizeGrant(principal: Principal, scopes: readonly Scope[]): void {
  const missing = scopes.find((scope) => !holds(principal, scope));
  if (missing) throw new ForbiddenError(`Granting the scope ${missing} needs a key that holds it`, missing);
}
