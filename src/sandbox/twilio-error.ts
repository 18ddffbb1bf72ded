import { TWILIO_ERRORS, type TwilioErrorCode, twilioErrorOf } from '../twilio-errors/twilio-errors.js';

/**
 * Errors as Twilio's 2010-04-01 API answers them: `{code, message, more_info, status}` with the HTTP status
 * alongside. Codes, statuses and wording come from herald's table of Twilio's errors, so that logs read the same
 * against the sandbox as against Twilio and the sandbox answers no code that herald's handling does not know.
 */
export interface TwilioError {
  status: number;
  code: number;
  message: string;
}

/** The JSON body, keys in Twilio's order. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/**
 * Twilio's answer with `code`: its status and wording from the table, unless `message` says more (the number, the
 * limit) or the answer comes with another status. A code Twilio reports on a receipt, answered at once, is a 400.
 */
export function makeTwilioError(
  code: TwilioErrorCode,
  message: string = TWILIO_ERRORS[code].title,
  status: number = twilioErrorOf(code)?.status ?? 400,
): TwilioError {
  return { status, code, message };
}

export function toErrorBody(error: TwilioError): TwilioErrorBody {
  return {
    code: error.code,
    message: error.message,
    more_info: `https://www.twilio.com/docs/errors/${error.code}`,
    status: error.status,
  };
}

/** Deliberately free of the username and password: the answer to a failed login must never echo credentials. */
export const AUTHENTICATE_ERROR = makeTwilioError(20003);

export function makeNotFoundError(path: string): TwilioError {
  return makeTwilioError(20404, `The requested resource ${path} was not found`);
}

export const METHOD_NOT_ALLOWED_ERROR = makeTwilioError(20004);

export function makeInvalidParameterError(message: string): TwilioError {
  return makeTwilioError(20422, message);
}

/** 21611: the sender's queue already holds as much as Twilio lets it queue. */
export const QUEUE_FULL_ERROR = makeTwilioError(21611);
