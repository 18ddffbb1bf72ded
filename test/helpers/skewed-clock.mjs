// Loaded with `node --import` into a process under test: its clock (Date) runs HERALD_TEST_CLOCK_SKEW_MS ahead
// (behind, if negative) of the machine's, as on a server whose clock is wrong. Timers and performance.now() are not
// moved; nor is Redis's clock, nor the other processes'.
const skewMs = Number(process.env.HERALD_TEST_CLOCK_SKEW_MS ?? 0);
const RealDate = globalThis.Date;

class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + skewMs);
    else super(...args);
  }

  static now() {
    return RealDate.now() + skewMs;
  }
}

// `Date()` called without `new` gives the time as a string; a class cannot be called, so a proxy answers it.
globalThis.Date = new Proxy(SkewedDate, { apply: () => new SkewedDate().toString() });
