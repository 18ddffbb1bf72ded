export default async function globalTeardown() {
  await globalThis.heraldTestRedis?.stop();
}
