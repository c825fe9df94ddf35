import type { Services } from '../app/services.js';
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';

/**
 * What a resolver gets: the services, the caller (`principal` is always set: unauthenticated requests never get
 * here) and its transport connection (an HTTP request, or the upgrade request of a graphql-ws socket), which
 * subscription limits count by. `db` is for the Prisma plugin alone, which loads relations a selection asks for;
 * resolvers call the services.
 */
export type Context = Services & {
  db: Db;
  principal: Principal;
  connection: object;
  /** The request's W3C `traceparent` header, continued by the publish's span when tracing is on. */
  traceparent?: string;
};
