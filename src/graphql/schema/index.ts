// Importing a module registers its types with the builder; the order here is the only coupling.
import { lexicographicSortSchema } from 'graphql';
import { builder } from '../builder.js';
import './scalars.js';
import './errors.js';
import './webhook.js';
import './webhook-stats.js';
import './event-type.js';
import './event.js';
import './delivery.js';
import './recovery.js';
import './job.js';
import './project.js';
import './audit.js';
import './token.js';
import './portal.js';
import './listener.js';
import './subscriptions.js';

export const schema = lexicographicSortSchema(builder.toSchema());
