// `@relaypoint/core/testing`: helpers for a plugin's own unit tests.
import 'reflect-metadata';
export { createTestContext } from './createTestContext.js';
export type { TestContext, TestContextOptions } from './createTestContext.js';
export { recordingLogger } from './recordingLogger.js';
export type { RecordingLogger, RecordedLine } from './recordingLogger.js';
export { manualClock, MANUAL_CLOCK_START } from './manualClock.js';
export type { ManualClock } from './manualClock.js';
export { measure } from './measure.js';
export type { Measured } from './measure.js';
export { startTestServer, startStray404Server } from './startTestServer.js';
export type { TestServer, TestServerHandler, ReceivedRequest } from './startTestServer.js';
