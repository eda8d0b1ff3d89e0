// One string picks the queue, so entry points take it from configuration (QUEUE_URL):
//
//   memory:                                   at-most-once, in process memory
//   log:./data/queue?durability=fsync&maxBytes=10737418240&retainMs=3600000
//   nats://10.0.0.1:4222,10.0.0.2:4222?replicas=3&shards=4&maxBytes=...&groups=forwarder
//   tls://user:password@nats1.example:4222?tlsCaFile=/etc/sluice/ca.pem   (TLS demanded)
//   nats://nats1.example:4222?credsFile=/etc/sluice/collector.creds
//
// Query parameters are the options of the adapter (numbers in bytes and milliseconds). NATS
// credentials: user info (`user:password@`, `token@`) or a file (credsFile, nkeySeedFile); TLS
// files: tlsCaFile, tlsCertFile, tlsKeyFile (any of them, or tls://, demands TLS). Print a
// URL only through redactQueueUrl.

import type { FileModes } from './log/file-modes.js';
import { openLogQueue } from './log/log-queue.js';
import { createMemoryQueue } from './memory-queue.js';
import { openNatsQueue } from './nats/load-nats.js';
import type { NatsQueueOptions } from './nats/nats-options.js';
import type { Queue } from './queue.js';
import { redactQueueUrl } from './redact-queue-url.js';

const LOG_NUMBERS = ['segmentBytes', 'maxBytes', 'retainBytes', 'retainMs'] as const;
const NATS_NUMBERS = [
  'shards',
  'replicas',
  'duplicateWindowMs',
  'maxBytes',
  'maxAgeMs',
  'ackWaitMs',
  'maxAckPending',
  'publishTimeoutMs',
  'leaseTtlMs',
] as const;
const NATS_STRINGS = ['stream', 'subjectPrefix', 'name'] as const;
const NATS_AUTH_FILES = ['credsFile', 'nkeySeedFile'] as const;
const NATS_TLS_FILES = {
  tlsCaFile: 'caFile',
  tlsCertFile: 'certFile',
  tlsKeyFile: 'keyFile',
} as const;

/**
 * Opens the queue a URL names (see the module comment); throws a readable error for a bad one.
 * `modes` are the permissions of a log's files (default owner-only).
 */
export async function openQueue(url: string, modes: FileModes = {}): Promise<Queue> {
  try {
    return await openQueueUnredacted(url, modes);
  } catch (error) {
    // A message that quotes the URL must not carry its password.
    if (error instanceof Error) error.message = error.message.replaceAll(url, redactQueueUrl(url));
    throw error;
  }
}

async function openQueueUnredacted(url: string, modes: FileModes): Promise<Queue> {
  const at = url.indexOf('?');
  const base = at === -1 ? url : url.slice(0, at);
  const params = new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
  const scheme = /^([a-z]+):/.exec(base)?.[1];
  switch (scheme) {
    case 'memory':
      onlyKnown(params, []);
      return createMemoryQueue();
    case 'log': {
      onlyKnown(params, [...LOG_NUMBERS, 'durability']);
      const dir = base.slice('log:'.length).replace(/^\/\/(?=\/)/, '');
      if (dir === '') throw new Error(`queue URL ${url}: name a directory, e.g. log:./data/queue`);
      const durability = params.get('durability') ?? 'fsync';
      if (durability !== 'fsync' && durability !== 'none') {
        throw new Error(`queue URL ${url}: durability is fsync or none`);
      }
      return openLogQueue({ dir, durability, ...modes, ...numbers(url, params, LOG_NUMBERS) });
    }
    case 'nats':
    case 'tls': {
      onlyKnown(params, [
        ...NATS_NUMBERS,
        ...NATS_STRINGS,
        ...NATS_AUTH_FILES,
        ...Object.keys(NATS_TLS_FILES),
        'groups',
        'deduplicate',
      ]);
      const options: NatsQueueOptions = {
        servers: base.split(',').map((s) => (s.includes('://') ? s : `${scheme}://${s}`)),
        ...numbers(url, params, NATS_NUMBERS),
      };
      const authFiles = NATS_AUTH_FILES.filter((key) => params.has(key));
      if (authFiles.length > 1) throw new Error(`queue URL ${url}: give credsFile or nkeySeedFile`);
      const authFile = authFiles[0];
      if (authFile === 'credsFile') options.auth = { credsFile: params.get(authFile)! };
      if (authFile === 'nkeySeedFile') options.auth = { nkeySeedFile: params.get(authFile)! };
      for (const [param, key] of Object.entries(NATS_TLS_FILES)) {
        const value = params.get(param);
        if (value !== null) options.tls = { ...(options.tls as object), [key]: value };
      }
      for (const key of NATS_STRINGS) {
        const value = params.get(key);
        if (value !== null) options[key] = value;
      }
      const deduplicate = params.get('deduplicate');
      if (deduplicate !== null) options.deduplicate = deduplicate !== 'false';
      const groups = params.get('groups');
      if (groups !== null) options.consumerGroups = groups.split(',');
      return openNatsQueue(options);
    }
    default:
      throw new Error(`queue URL ${url}: use memory:, log:<dir> or nats://<host>:<port>`);
  }
}

function onlyKnown(params: URLSearchParams, known: readonly string[]): void {
  for (const key of params.keys()) {
    if (!known.includes(key)) {
      throw new Error(`unknown queue URL parameter ${key} (known: ${known.join(', ') || 'none'})`);
    }
  }
}

function numbers<K extends string>(
  url: string,
  params: URLSearchParams,
  keys: readonly K[],
): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const key of keys) {
    const value = params.get(key);
    if (value === null) continue;
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) {
      throw new Error(`queue URL ${url}: ${key} must be a number, got ${value}`);
    }
    out[key] = number;
  }
  return out;
}
