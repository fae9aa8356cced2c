import { recordingLogger, type RecordedLine, type RecordingLogger } from '@relaypoint/core/testing';

/** One line a {@link CapturedLogger} recorded: core's {@link RecordedLine} (level, message, fields and the JSON line). */
export type CapturedLine = RecordedLine;

/** A logger that keeps every line in memory so a test can search the log output: core's {@link RecordingLogger}. */
export type CapturedLogger = RecordingLogger;

/** A logger recording JSON lines (with bindings) in memory. The same as `recordingLogger` from `@relaypoint/core/testing`. */
export function captureLogger(): CapturedLogger {
  return recordingLogger();
}
