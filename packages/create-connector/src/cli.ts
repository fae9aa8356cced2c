#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { runCli } from './runCli.js';

process.exitCode = await runCli(hideBin(process.argv));
