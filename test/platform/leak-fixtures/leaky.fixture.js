// Run by test/platform/leak-gate.test.ts, not by `npm test` itself: a file that leaves a timer running.
test('leaky', () => {
  setInterval(() => undefined, 1000);
  expect(true).toBe(true);
});
