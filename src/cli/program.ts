// The floodgate command line: one commander program, one module per command.
import type { Command } from 'commander';
import { baseProgram } from './base.js';
import { registerAgent } from './commands/agent.js';
import { registerAgents } from './commands/agents.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerAttacks } from './commands/attacks.js';
import { registerBgp } from './commands/bgp.js';
import { registerCheckConfig } from './commands/check-config.js';
import { registerDecode } from './commands/decode.js';
import { registerDoctor } from './commands/doctor.js';
import { registerExabgpApi } from './commands/exabgp-api.js';
import { registerInit } from './commands/init.js';
import { registerReplay } from './commands/replay.js';
import { registerRules } from './commands/rules.js';
import { registerRpki } from './commands/rpki.js';
import { registerRun } from './commands/run.js';
import { registerSimulate } from './commands/simulate.js';
import { registerAudit, registerTokens } from './commands/tokens.js';

export function buildProgram(): Command {
  const program = baseProgram();
  registerInit(program);
  registerRun(program);
  registerCheckConfig(program);
  registerDoctor(program);
  registerRules(program);
  registerDecode(program);
  registerReplay(program);
  registerSimulate(program);
  registerBgp(program);
  registerExabgpApi(program);
  registerTokens(program);
  registerAudit(program);
  registerRpki(program);
  registerAttacks(program);
  registerAnalyze(program);
  registerAgent(program);
  registerAgents(program);
  return program;
}
