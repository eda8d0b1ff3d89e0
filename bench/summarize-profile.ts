// `npx tsx bench/summarize-profile.ts FILE.cpuprofile [TOP]`: prints where the time went.
import { summarizeProfile } from './profile-summary.js';

const [path, top] = process.argv.slice(2);
if (!path) {
  console.error('usage: tsx bench/summarize-profile.ts FILE.cpuprofile [TOP]');
  process.exit(2);
}
console.log(summarizeProfile(path, top ? Number(top) : undefined));
