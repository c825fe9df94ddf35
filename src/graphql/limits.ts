// Bounds on what one GraphQL request may ask for, so no query can exhaust the server.
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';

export const MAX_DEPTH = 10;
export const MAX_ALIASES = 15;
export const MAX_COST = 5000;

export const limitPlugins = () => [
  maxDepthPlugin({ n: MAX_DEPTH, flattenFragments: true }),
  maxAliasesPlugin({ n: MAX_ALIASES }),
  costLimitPlugin({ maxCost: MAX_COST }),
  // A browser sends a cross-site "simple" request without preflight; ours carry Authorization (or an explicit
  // CSRF header), which a cross-site form or <img> cannot add.
  useCSRFPrevention({ requestHeaders: ['authorization', 'x-graphql-yoga-csrf'] }),
];
