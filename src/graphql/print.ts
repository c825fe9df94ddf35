import { printSchema } from 'graphql';
import { schema } from './schema/index.js';

export const printedSchema = () => `${printSchema(schema)}\n`;
