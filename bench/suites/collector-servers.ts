import { FORWARDER_NODE_FLAGS } from '@sluice/forwarder';
import type { ServerEntry } from '../build-servers.js';
import type { OtherNode } from '../oldest-node.js';
import type { CollectorMode } from '../servers/collector.js';

/** The default collector with the node flags `sluice start` relaunches with, beside node's defaults. */
export const START_FLAGS_KEY = 'collector-fsync-start-flags';

/** One server the collector suite loads: a ceiling, or the collector in one durability mode. */
export interface ServerUnderTest {
  /** Short name: profile files and message ids. */
  key: string;
  /** What the tables call it. */
  label: string;
  entry: ServerEntry;
  /** The collector's durability mode; undefined for a ceiling. */
  mode?: CollectorMode;
  /** Another Node to run it on (the harness's own by default), and its version. */
  execPath?: string;
  nodeVersion?: string;
  /** Node flags of its process (node's defaults without). */
  nodeFlags?: readonly string[];
}

/** The three ceilings first, then the collector in each durability mode. */
export const SERVERS_UNDER_TEST: readonly ServerUnderTest[] = [
  { key: 'node-204', label: 'ceiling: bare node:http → 204', entry: 'bare-node' },
  { key: 'hono-204', label: 'ceiling: bare Hono → 204', entry: 'bare-hono' },
  { key: 'hono-parse', label: 'ceiling: Hono parsing the JSON → 204', entry: 'hono-parse' },
  {
    key: 'collector-fsync',
    label: 'collector, log + fdatasync (at-least-once, default)',
    entry: 'collector',
    mode: 'fsync',
  },
  {
    key: START_FLAGS_KEY,
    label: `collector, log + fdatasync, node ${FORWARDER_NODE_FLAGS.join(' ')}`,
    entry: 'collector',
    mode: 'fsync',
    nodeFlags: FORWARDER_NODE_FLAGS,
  },
  {
    key: 'collector-none',
    label: 'collector, log without fdatasync',
    entry: 'collector',
    mode: 'none',
  },
  {
    key: 'collector-memory',
    label: 'collector, memory queue (at-most-once)',
    entry: 'collector',
    mode: 'memory',
  },
];

/** The default collector on the other Node (oldest-node.ts). */
export const OTHER_NODE_KEY = 'collector-fsync-other-node';

/** The servers of one run: the default collector once more on `other` Node, when there is one. */
export function serversUnderTest(other?: OtherNode): readonly ServerUnderTest[] {
  if (!other) return SERVERS_UNDER_TEST;
  return [
    ...SERVERS_UNDER_TEST,
    {
      key: OTHER_NODE_KEY,
      label: `collector, log + fdatasync, on Node ${other.version} (the others: ${process.version})`,
      entry: 'collector',
      mode: 'fsync',
      execPath: other.execPath,
      nodeVersion: other.version,
    },
  ];
}

/** Keys of the ceilings the collector is compared with. */
export const CEILING_KEYS = ['node-204', 'hono-204', 'hono-parse'] as const;
