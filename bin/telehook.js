#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50
// The published entry point: runs the compiled CLI (npm run build writes dist/). The node flags are npm start's
// (package.json), so that an installed `telehook serve` (the systemd unit) uses memory as bench/README measured
// it: a small young generation, and a full collection once the heap is 1.5× what is live instead of up to 4×.
import '../dist/cli/main.js';
