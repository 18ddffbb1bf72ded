/**
 * Errors as Twilio's 2010-04-01 API answers them: `{code, message, more_info, status}` with the HTTP status
 * alongside (../shared/reference/twilio.md §2). Messages follow the wording of Twilio's error dictionary so
 * that logs read the same against the sandbox as against Twilio.
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

export function makeTwilioError(status: number, code: number, message: string): TwilioError {
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
export const AUTHENTICATE_ERROR = makeTwilioError(401, 20003, 'Authenticate');

export function makeNotFoundError(path: string): TwilioError {
  return makeTwilioError(404, 20404, `The requested resource ${path} was not found`);
}

export const METHOD_NOT_ALLOWED_ERROR = makeTwilioError(405, 20004, 'Method not allowed');

export function makeInvalidParameterError(message: string): TwilioError {
  return makeTwilioError(400, 20422, message);
}

/** 21611: the sender's queue already holds as much as Twilio lets it queue. */
export const QUEUE_FULL_ERROR = makeTwilioError(
  400,
  21611,
  "This 'From' number has exceeded the maximum number of queued messages",
);
