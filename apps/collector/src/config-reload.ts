// Reloads the collector's config while it runs: on SIGHUP and when the config file changes.
// A new config is loaded and validated in full before anything changes; a bad one leaves the
// running config in place and is logged with its reason. Node only (fs.watch, signals).
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Hono } from 'hono';
import type { CollectorConfig } from './config.js';
import { describeConfigChange } from './config-diff.js';
import type { CollectorLogger } from './observe.js';

/** How long a burst of file events is waited out: editors and renames write in steps. */
export const RELOAD_DEBOUNCE_MS = 200;

export interface ConfigReloadOptions {
  /** The config file: a change to it (also a rename over it) reloads. */
  file?: string;
  /** Reads and validates the config; throws an Error saying what is wrong and where. */
  load: () => Promise<CollectorConfig>;
  /** Reload on SIGHUP (default true). */
  signal?: boolean;
  debounceMs?: number;
}

export interface ConfigReloads {
  /** Loads now; resolves true when the new config took effect. */
  reload(): Promise<boolean>;
  close(): void;
}

/**
 * Watches for reasons to reload and calls `apply` with each valid new config, one reload at
 * a time (a request for one during another runs once more after it).
 */
export function watchConfigReloads(
  options: ConfigReloadOptions,
  initial: CollectorConfig,
  apply: (config: CollectorConfig) => void,
  logger: CollectorLogger | undefined,
): ConfigReloads {
  let current = initial;
  let running: Promise<boolean> | undefined;
  let again = false;

  async function loadOnce(): Promise<boolean> {
    let next: CollectorConfig;
    try {
      next = await options.load();
    } catch (error) {
      logger?.error(
        { reason: (error as Error).message },
        `config reload refused, the running config stays: ${(error as Error).message}`,
      );
      return false;
    }
    const change = describeConfigChange(current, next);
    apply(next);
    current = next;
    logger?.info(change, `config reloaded: ${change.summary}`);
    return true;
  }

  function reload(): Promise<boolean> {
    if (running) {
      again = true;
      return running;
    }
    running = loadOnce().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void reload();
      }
    });
    return running;
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? RELOAD_DEBOUNCE_MS);
  };
  // The directory is watched, not the file: a rename over the file (how editors and
  // `sluice sources` save) replaces the inode a file watch would follow.
  let watcher: FSWatcher | undefined;
  if (options.file) {
    const name = basename(options.file);
    watcher = watch(dirname(options.file), (_event, changed) => {
      if (changed === null || changed.toString() === name) soon();
    });
    watcher.on('error', (error) => logger?.warn({ err: error }, 'config file watch failed'));
  }
  const onSignal = () => void reload();
  if (options.signal !== false) process.on('SIGHUP', onSignal);

  return {
    reload,
    close() {
      clearTimeout(timer);
      watcher?.close();
      process.off('SIGHUP', onSignal);
    },
  };
}

/**
 * The collector app, rebuilt from each new config. The app is the compiled config (key maps,
 * buckets, routes): a reload builds a new one and swaps it in one assignment, so requests in
 * flight finish on the old one and none is dropped.
 */
export function reloadableApp(
  build: (config: CollectorConfig) => Hono,
  config: CollectorConfig,
  reload: ConfigReloadOptions | undefined,
  logger: CollectorLogger | undefined,
): { fetch: Hono['fetch']; reload(): Promise<boolean>; close(): void } {
  let app = build(config);
  const reloads =
    reload && watchConfigReloads(reload, config, (next) => (app = build(next)), logger);
  return {
    fetch: (request, env, context) => app.fetch(request, env, context),
    reload: () => reloads?.reload() ?? Promise.resolve(false),
    close: () => reloads?.close(),
  };
}
