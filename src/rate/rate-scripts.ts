import { RedisScript } from '../store/redis-script.js';

/**
 * The rate chain's Lua scripts (src/store/lua/*.lua: each file's header says its keys, arguments and answer). All
 * take one key, a rate chain's hash, or the account's for the account's hold.
 */
export const TAKE_CAPACITY = RedisScript.load('take-capacity');
export const THROTTLE = RedisScript.load('throttle');
export const HOLD = RedisScript.load('hold');
