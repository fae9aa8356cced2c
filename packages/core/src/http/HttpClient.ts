import {
  isAxiosError,
  type AxiosError,
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
  type RawAxiosRequestHeaders,
} from 'axios';

/**
 * The client {@link createHttpClient} returns (an axios instance). A plugin
 * names it through this type and never imports axios itself, so it builds
 * with `@relaypoint/core` as its only dependency.
 */
export type HttpClient = AxiosInstance;

/** A response of an {@link HttpClient} call; `data` is the raw body text unless the call asked otherwise. */
export type HttpResponse<T = string> = AxiosResponse<T>;

/** Per-call options of an {@link HttpClient} (`signal`, `params`, `headers`, `validateStatus`, …). */
export type HttpRequestConfig = AxiosRequestConfig;

/** Request headers as an {@link HttpClient} accepts them. */
export type HttpRequestHeaders = RawAxiosRequestHeaders;

/** What an {@link HttpClient} call rejects with when it fails (network error, timeout, a status `validateStatus` refused). */
export type HttpError<T = unknown> = AxiosError<T>;

/** True when `error` was thrown by an {@link HttpClient} call (any copy of axios). */
export function isHttpError<T = unknown>(error: unknown): error is HttpError<T> {
  return isAxiosError(error);
}
