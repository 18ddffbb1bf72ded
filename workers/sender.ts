import { reportStartupFailure, runSenderWorker } from '../src/worker/run-sender-worker.js';

// The sending worker process, as systemd, containers and docker compose start it (`node dist/workers/sender.js`);
// `herald worker` runs the same function.
runSenderWorker().catch(reportStartupFailure);
