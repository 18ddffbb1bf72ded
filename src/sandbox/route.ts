/** What a path addresses. Everything under an account needs that account's credentials, even unknown paths. */
export type Route =
  | { kind: 'messages'; accountSid: string }
  | { kind: 'message'; accountSid: string; messageSid: string }
  | { kind: 'media-list'; accountSid: string; messageSid: string }
  | { kind: 'media'; accountSid: string; messageSid: string; mediaSid: string }
  | { kind: 'account'; accountSid: string }
  | { kind: 'sandbox-requests' }
  | { kind: 'sandbox-health' }
  | { kind: 'sandbox-faults' }
  | { kind: 'sandbox-senders' }
  | { kind: 'sandbox-callbacks' }
  | { kind: 'sandbox-replies' }
  | { kind: 'unknown' };

const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)(\/.*)?$/;
const MESSAGE_PATH = /^\/Messages\/([^/]+)\.json$/;
const MEDIA_LIST_PATH = /^\/Messages\/([^/]+)\/Media\.json$/;
const MEDIA_PATH = /^\/Messages\/([^/]+)\/Media\/([^/]+)\.json$/;

const SANDBOX_ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/sandbox/requests', { kind: 'sandbox-requests' }],
  ['/sandbox/health', { kind: 'sandbox-health' }],
  ['/sandbox/faults', { kind: 'sandbox-faults' }],
  ['/sandbox/senders', { kind: 'sandbox-senders' }],
  ['/sandbox/callbacks', { kind: 'sandbox-callbacks' }],
  ['/sandbox/replies', { kind: 'sandbox-replies' }],
]);

export function matchRoute(pathname: string): Route {
  const sandboxRoute = SANDBOX_ROUTES.get(pathname);
  if (sandboxRoute !== undefined) return sandboxRoute;
  const account = ACCOUNT_PATH.exec(pathname);
  const accountSid = account?.[1];
  if (accountSid === undefined) return { kind: 'unknown' };
  const rest = account?.[2] ?? '';
  if (rest === '/Messages.json') return { kind: 'messages', accountSid };
  const messageSid = MESSAGE_PATH.exec(rest)?.[1];
  if (messageSid !== undefined) return { kind: 'message', accountSid, messageSid };
  const mediaList = MEDIA_LIST_PATH.exec(rest);
  if (mediaList?.[1] !== undefined) return { kind: 'media-list', accountSid, messageSid: mediaList[1] };
  const media = MEDIA_PATH.exec(rest);
  if (media?.[1] !== undefined && media[2] !== undefined)
    return { kind: 'media', accountSid, messageSid: media[1], mediaSid: media[2] };
  return { kind: 'account', accountSid };
}

/** The account a route belongs to, for the routes that have one. */
export function accountOf(route: Route): string | undefined {
  return 'accountSid' in route ? route.accountSid : undefined;
}
