import { chainOf, NO_GROUPS, type RateChain, type RateGroups } from '../domain/rate-group.js';
import { formatRateGroupsFile } from '../domain/rate-group-file.js';
import { type Sender, senderId } from '../domain/sender.js';
import type { RateGroupsStore } from './rate-groups-store.js';

/**
 * A worker's copy of the rate groups, read again whenever a command says they changed and every few seconds (as the
 * active campaigns are): each send looks its chain up here, without a read of its own.
 */
export class GroupsInUse {
  readonly #store: RateGroupsStore;
  #groups: RateGroups = NO_GROUPS;
  #version = formatRateGroupsFile(NO_GROUPS);
  readonly #chains = new Map<string, RateChain>();

  constructor(store: RateGroupsStore) {
    this.#store = store;
  }

  get groups(): RateGroups {
    return this.#groups;
  }

  /** Reads the groups again; true when they changed. */
  async refresh(): Promise<boolean> {
    const groups = await this.#store.read();
    const version = formatRateGroupsFile(groups);
    if (version === this.#version) return false;
    this.#groups = groups;
    this.#version = version;
    this.#chains.clear();
    return true;
  }

  /** The sender's chain under the groups last read. */
  chainOf(sender: Sender): RateChain {
    const id = senderId(sender);
    let chain = this.#chains.get(id);
    if (chain === undefined) {
      chain = chainOf(this.#groups, sender);
      this.#chains.set(id, chain);
    }
    return chain;
  }
}
