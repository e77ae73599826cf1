import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

/** What Fastify passes to a route validator (`validateParam` in fastify/lib/validation.js). */
interface ValidatorContext {
  readonly parentData: object;
  readonly parentDataProperty: string;
}

/** A compiled Ajv validator, as Fastify uses one: `errors` after a failure, `schemaEnv` when it takes a context. */
interface Validator {
  (data: unknown, context?: ValidatorContext): unknown;
  errors?: unknown;
  schemaEnv?: unknown;
}

type BuildValidator = ReturnType<typeof AjvCompiler>;
type BuildSerializer = ReturnType<typeof SerializerSelector>;

/**
 * Fastify's own compilers (Ajv for what a request carries, fast-json-stringify for the answers), each route's part
 * compiled when it is first used rather than when the app becomes ready. Compiling every route's validators and
 * serializers at start-up (a HEAD twin for each GET included) kept about 5 MB of generated code in memory for routes
 * an idle telehook may never serve. What is compiled, with which options, is unchanged: a route validates and
 * answers exactly as before, its first request pays for the compile.
 */
export function createLazyCompilers(): { buildValidator: BuildValidator; buildSerializer: BuildSerializer } {
  const ajv = AjvCompiler();
  const serializers = SerializerSelector();
  const buildValidator: BuildValidator = (externalSchemas, options) => {
    const compile = ajv(externalSchemas, options);
    return (route) => lazyValidator(() => compile(route) as Validator);
  };
  const buildSerializer: BuildSerializer = (externalSchemas, options) => {
    const compile = serializers(externalSchemas, options);
    return (route) => {
      let serialize: ((doc: unknown) => string) | null = null;
      return (doc: unknown) => (serialize ??= compile(route))(doc);
    };
  };
  return { buildValidator, buildSerializer };
}

function lazyValidator(compile: () => Validator): ReturnType<ReturnType<BuildValidator>> {
  let validate: Validator | null = null;
  const compiled = (): Validator => (validate ??= compile());
  const lazy = ((data: unknown, context?: ValidatorContext) =>
    context === undefined ? compiled()(data) : compiled()(data, context)) as Validator;
  // Fastify reads both from the function it holds: they are the compiled validator's.
  Object.defineProperties(lazy, {
    errors: { get: () => validate?.errors },
    schemaEnv: { get: () => compiled().schemaEnv },
  });
  return lazy as unknown as ReturnType<ReturnType<BuildValidator>>;
}
