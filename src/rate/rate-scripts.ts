import { RedisScript } from '../queue/redis-script.js';
import { loadLua } from '../store/lua-loader.js';

/**
 * The rate chain's Lua scripts (src/store/lua/*.lua: each file's header says its keys, arguments and answer). All
 * take one key, a rate chain's hash, or the account's for the account's hold.
 */
export const TAKE_CAPACITY = new RedisScript(loadLua('take-capacity').source);
export const THROTTLE = new RedisScript(loadLua('throttle').source);
export const HOLD = new RedisScript(loadLua('hold').source);
