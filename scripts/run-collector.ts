// A collector process (scale-out): `sluice collector` (apps/cli), configured by the
// environment as before: QUEUE_URL, PORT, HOST, SLUICE_CONFIG or SLUICE_WRITE_KEY and
// SLUICE_ALLOWED_ORIGINS, SLUICE_LOG=off for no logs.
//
//   QUEUE_URL=nats://10.0.0.1:4222?replicas=3 PORT=8080 HOST=0.0.0.0 \
//   SLUICE_WRITE_KEY=site-key SLUICE_ALLOWED_ORIGINS=https://shop.example  tsx scripts/run-collector.ts
import { runCli } from '@sluice/cli';

const quiet = process.env.SLUICE_LOG === 'off' ? ['--log-level', 'silent'] : [];
await runCli(['collector', ...quiet, ...process.argv.slice(2)]);
