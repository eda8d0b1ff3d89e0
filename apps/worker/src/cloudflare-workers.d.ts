// The runtime's own module, declared here instead of loading @cloudflare/workers-types'
// globals (they would clash with the DOM and Node types the rest of the workspace uses).
// Only what this Worker uses: the base class that makes a Durable Object callable over RPC.
declare module 'cloudflare:workers' {
  import type { DurableObjectState } from '@cloudflare/workers-types';

  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}
