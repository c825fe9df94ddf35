import { allEventTypes, type EventTypeEntry } from '../../events/catalog.js';
import { builder } from '../builder.js';

const EventType = builder.objectRef<EventTypeEntry>('EventType').implement({
  description: 'An event type a webhook can subscribe to',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'e.g. optimization.completed' }),
    description: t.exposeString('description'),
    example: t.field({ type: 'JSON', description: 'An example `data` payload', resolve: (e) => e.example }),
  }),
});

builder.queryField('eventTypes', (t) =>
  t.field({ type: [EventType], description: 'Every event type, in catalog order', resolve: () => allEventTypes }),
);
