#!/usr/bin/env node
// The compiled CLI (npm run build compiles src → dist).
import "../dist/cli/main.js"
