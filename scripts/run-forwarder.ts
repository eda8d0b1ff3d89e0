// A forwarder process (scale-out): `sluice forwarder` (apps/cli), configured by the
// environment as before. Run several against one JetStream stream: they share its shards.
//
//   QUEUE_URL=nats://10.0.0.1:4222,10.0.0.2:4222?replicas=3 \
//   SLUICE_STORE_DIR=./data/store   (or SLUICE_S3_BUCKET=events [SLUICE_S3_ENDPOINT=...])
//   SLUICE_FILE_AGE_MS=120000 SLUICE_MAX_FILE_BYTES=67108864  tsx scripts/run-forwarder.ts
import { runCli } from '@sluice/cli';

await runCli(['forwarder', ...process.argv.slice(2)]);
